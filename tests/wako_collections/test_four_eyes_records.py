"""Every approvable record (起案 by one person, 決裁 by another) is a FourEyesRecord whose database
constraint is the shared four_eyes_constraint: one shape, one rule."""

import pytest
from django.apps import apps

from wako_collections.records import FourEyesRecord, four_eyes_constraint

FOUR_EYES = {
    # model label: the statuses that are a decision (決裁, and 却下 where it is one)
    "dispositions.Disposition": ("approved",),
    "dispositions.DistributionStatement": ("approved",),
    "dispositions.WriteOffRun": ("approved", "rejected"),
    "dispositions.WriteOffCancellation": ("approved", "rejected"),
    "refunds.Disposal": ("approved",),
    "documents.PublicNotice": ("approved",),
}


def test_the_approvable_records_are_the_four_eyes_records():
    found = {
        model._meta.label
        for model in apps.get_models()
        if issubclass(model, FourEyesRecord) and not model._meta.label.split(".")[1].startswith("Historical")
    }
    assert found == set(FOUR_EYES)


@pytest.mark.parametrize(("label", "decided"), FOUR_EYES.items())
def test_each_carries_the_shared_four_eyes_constraint(label, decided):
    model = apps.get_model(label)
    name = f"{model._meta.app_label}_{model._meta.model_name}_four_eyes"
    (constraint,) = [c for c in model._meta.constraints if c.name == name]
    assert constraint == four_eyes_constraint(name, decided=decided)
    for value in decided:
        assert value in model.Status.values
    assert model.DRAFT_STATUS in model.Status.values
