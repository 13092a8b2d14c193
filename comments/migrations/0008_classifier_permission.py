import django.core.validators
from django.db import migrations, models

EDITOR_PERMISSIONS = [("comments", "change_classifier")]


def grant_editors(apps, schema_editor):
    """Editors, and only editors, decide where comments are sent for classification."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label, codename in EDITOR_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for group in Group.objects.filter(name="Editors"):
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_spent_token"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="moderationsettings",
            options={
                "permissions": [("change_classifier", "Can change the external classifier")],
                "verbose_name": "moderation settings",
                "verbose_name_plural": "moderation settings",
            },
        ),
        migrations.AlterField(
            model_name="moderationsettings",
            name="classifier_timeout",
            field=models.FloatField(
                default=2.0,
                validators=[
                    django.core.validators.MinValueValidator(0.1),
                    django.core.validators.MaxValueValidator(3.0),
                ],
                verbose_name="classifier timeout (seconds)",
            ),
        ),
        migrations.RunPython(grant_editors, migrations.RunPython.noop),
    ]
