"""Load the 17 SDGs and 169 targets (English and bokmål) from requests_app/data/sdg.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "sdg.json"


def load_sdgs(apps, schema_editor):
    SdgGoal = apps.get_model("requests_app", "SdgGoal")
    SdgTarget = apps.get_model("requests_app", "SdgTarget")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for goal in data["goals"]:
        SdgGoal.objects.update_or_create(
            number=goal["number"],
            defaults={
                "short_en": goal["short"]["en"],
                "short_nb": goal["short"]["nb"],
                "title_en": goal["title"]["en"],
                "title_nb": goal["title"]["nb"],
            },
        )
    positions: dict[int, int] = {}
    for target in data["targets"]:
        positions[target["goal"]] = positions.get(target["goal"], 0) + 1
        SdgTarget.objects.update_or_create(
            code=target["code"],
            defaults={
                "goal_id": target["goal"],
                "position": positions[target["goal"]],
                "title_en": target["title"]["en"],
                "title_nb": target["title"]["nb"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0001_initial")]

    operations = [migrations.RunPython(load_sdgs, migrations.RunPython.noop)]
