from django.db import migrations, models


class Migration(migrations.Migration):
    """Comments written until now keep the HTML-subset renderer; new ones are Markdown."""

    dependencies = [
        ("comments", "0012_comment_decided_on_story_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="markup",
            field=models.CharField(
                choices=[("markdown", "Markdown"), ("html", "HTML subset (before Markdown)")],
                default="html",
                max_length=10,
                verbose_name="written in",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="markup",
            field=models.CharField(
                choices=[("markdown", "Markdown"), ("html", "HTML subset (before Markdown)")],
                default="markdown",
                max_length=10,
                verbose_name="written in",
            ),
        ),
    ]
