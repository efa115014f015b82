"""`steerco actuals import FILE`: progress and counts on success, every problem and exit 1 on a bad file."""

from click.testing import CliRunner
from value.helpers import add_line, grid, new_measure

from steerco.cli.main import main


def test_actuals_import_command(portfolio, settings, tmp_path, monkeypatch):
    mid = new_measure(portfolio)
    add_line(portfolio, mid)
    code = portfolio.run("admin", lambda uow: uow.measure(mid).code, readonly=True)
    monkeypatch.setenv("STEERCO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(tmp_path / "instance"))
    good = tmp_path / "good.csv"
    good.write_text(f"Measure;Month;Amount\n{code};2026-11;100,00\n".replace("100,00", "100.00"))
    bad = tmp_path / "bad.csv"
    bad.write_text(f"measure,period,amount\n{code},2026-11,1\n{code},2026-12,abc\n")
    runner = CliRunner()
    out = runner.invoke(main, ["actuals", "import", str(bad), "--as", "carol"])
    assert out.exit_code == 1 and "row 3, column amount" in out.output
    args = ["actuals", "import", str(good), "--as", "carol", "--map", "Month=period"]
    out = runner.invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "validate: 1/1 (100%)" in out.output and "imported 1 rows" in out.output and "inserted 1" in out.output
    again = runner.invoke(main, args)
    assert "unchanged 1" in again.output and "imported before" in again.output
    assert grid(portfolio, mid)["totals"]["actual"] == "100.00"
    # totals damaged behind the services' back are put right by a rebuild
    from sqlalchemy import update

    from steerco.store import tables_totals as tt

    portfolio.run("system", lambda uow: uow.session.execute(update(tt.measure_totals).values(cents=1)) and None)
    out = runner.invoke(main, ["value", "rebuild-totals"])
    assert out.exit_code == 0 and "value totals rebuilt: 1 measure totals" in out.output, out.output
    cents = portfolio.run("system", lambda uow: uow.session.scalar(
        tt.measure_totals.select().with_only_columns(tt.measure_totals.c.cents)), readonly=True)
    assert cents == 10000
