from django.db import migrations

DEFAULT_KINDS = [
    ("like", "👍", "Like"),
    ("love", "❤️", "Love"),
    ("laugh", "😂", "Funny"),
    ("wow", "😮", "Wow"),
    ("sad", "😢", "Sad"),
    ("angry", "😠", "Angry"),
]


def add_default_kinds(apps, schema_editor):
    ReactionKind = apps.get_model("comments", "ReactionKind")
    for position, (key, emoji, label) in enumerate(DEFAULT_KINDS):
        ReactionKind.objects.get_or_create(
            key=key, defaults={"emoji": emoji, "label": label, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial")]

    operations = [migrations.RunPython(add_default_kinds, migrations.RunPython.noop)]
