from __future__ import annotations

import json

from geo.serialize import from_dict, to_dict
from tests.test_store import analyzed


def test_round_trip_through_json_keeps_everything():
    a = analyzed()
    back = from_dict(json.loads(json.dumps(to_dict(a))))
    assert back == a
    assert back.places[0].alternatives[0].entry.name == "Hassan"
