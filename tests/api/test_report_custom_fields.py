"""The measure report exports the custom fields of the measure types, each as a column of its own."""

import csv
import io
import re

from steerco.services.configuration import drafts
from steerco.services.governance import measures

FIELDS = [{"key": "vendor", "label": "Vendor", "type": "text"},
          {"key": "annual_saving", "label": "Annual saving", "type": "money", "value": True}]


def test_the_report_exports_the_custom_fields(app, portfolio):
    portfolio.run("admin", lambda uow: drafts.save_measure_type(uow, "saving", "Saving", "doi-default", FIELDS))
    portfolio.run("alice", lambda uow: measures.create(uow, {"title": "Freight", "node": "PA", "type": "saving",
                                                             "potential": "1000"}) and None)
    portfolio.run("alice", lambda uow: measures.create(uow, {"title": "Plain", "node": "PA", "type": "cost"}) and None)
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "pmo", "password": "pmo-pw", "csrf_token": token})
    r = client.get("/exports/measures.csv")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig")))}
    assert rows["Freight"]["fields.annual_saving"] == "1000.00" == rows["Freight"]["potential"]
    assert rows["Plain"]["fields.annual_saving"] == "" and "fields.vendor" in rows["Plain"]
