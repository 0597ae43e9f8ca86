"""The ``[sos]`` chain: 张掖's ends at the 社工委's line, a preset without ``[sos]`` (jizhou)
runs the platform's, and a misspelt duty or a chain out of order is refused at load."""

import pytest
from pydantic import ValidationError

from alerts.preset import DEFAULT_CHAIN, Sos, SosStep
from presets.loader import read_preset


def test_zhangye_rings_the_work_committee_line_and_jizhou_has_the_defaults():
    chain = read_preset("zhangye").sos.chain
    assert [step.after_minutes for step in chain] == [0, 5, 10]
    assert chain[-1].up == 1 and chain[-1].duty_phone
    assert "work_committee_member" in chain[-1].duties
    assert read_preset("jizhou").sos is None
    assert Sos(device="手环", answered_by="community").chain == DEFAULT_CHAIN


def test_a_misspelt_duty_or_a_chain_out_of_order_is_refused():
    with pytest.raises(ValidationError, match="unknown duties"):
        SosStep(duties=("grid_wroker",), source="typo")
    late_first = (SosStep(after_minutes=3, source="s"),)
    with pytest.raises(ValidationError, match="runs at the press"):
        Sos(device="手环", answered_by="community", chain=late_first)
    backwards = (*DEFAULT_CHAIN[:1], DEFAULT_CHAIN[2], DEFAULT_CHAIN[1])
    with pytest.raises(ValidationError, match="in order"):
        Sos(device="手环", answered_by="community", chain=backwards)
