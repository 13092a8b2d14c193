import pytest
from django.core.management import CommandError, call_command

from articles.importer import parse_story
from articles.models import Article, ArticleLink

pytestmark = pytest.mark.django_db


def test_seed_story_parses_into_its_parts(seed_path):
    story = parse_story(seed_path.read_text(encoding="utf-8"))
    assert story.headline.startswith("Sheriff says armed officer assigned to Douglas High")
    assert story.caption == "Broward County Sheriff Scott Israel speaks to media"
    assert story.video_credit == "Videos by Rare"
    assert story.reaction_prompt == "What do you think?"
    assert story.related == [
        (
            "Florida school shooting survivor blasts the media for ignoring the "
            "“conservative side” of the gun debate",
            2,
        )
    ]
    assert story.paragraphs[0].startswith("An armed school resource officer")
    assert story.paragraphs[-1].startswith("Reporters who went to the Boynton Beach home")
    assert not any("What do you think?" in p for p in story.paragraphs)
    assert story.teasers[0] == "Rep. Thomas Massie slams Donald Trump’s gun control proposals"


def test_imported_seed_renders_as_a_story_page(client, seed_path):
    call_command("import_article", str(seed_path))
    article = Article.objects.get()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Sheriff says armed officer assigned to Douglas High School" in html
    assert "<figcaption>Broward County Sheriff Scott Israel speaks to media</figcaption>" in html
    assert "Videos by Rare" in html
    assert "RELATED:" in html and "Florida school shooting survivor blasts the media" in html
    assert html.count("<p>") >= 10
    assert "What do you think?" in html
    assert "Rep. Thomas Massie slams Donald Trump’s gun control proposals" in html


def test_reimporting_the_same_file_updates_instead_of_duplicating(tmp_path, seed_path):
    story = tmp_path / "story.txt"
    story.write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    call_command("import_article", str(story))
    story.write_text(
        "Updated headline\n\nA caption\n\nOne paragraph.\n\nWhat do you think?\n", encoding="utf-8"
    )
    call_command("import_article", str(story))
    article = Article.objects.get()
    assert article.headline == "Updated headline"
    assert article.paragraphs == ["One paragraph."]
    assert not ArticleLink.objects.filter(kind=ArticleLink.Kind.RELATED).exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "file is empty"),
        (b"   \n\n  ", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file"),
        (b"Headline\n\n\xff\xfe broken", "not UTF-8"),
        (b"Only a headline\n", "no body paragraphs"),
    ],
)
def test_bad_files_get_a_clear_error_naming_the_file(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(CommandError):
        call_command("import_article", str(bad))
    err = capsys.readouterr().err
    assert str(bad) in err and message in err
    assert not Article.objects.exists()


def test_one_bad_file_does_not_stop_the_others(tmp_path, seed_path, capsys):
    missing = tmp_path / "missing.txt"
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("import_article", str(missing), str(seed_path))
    assert "cannot read file" in capsys.readouterr().err
    assert Article.objects.count() == 1


def test_load_demo_creates_published_demo_stories_and_can_run_twice(client):
    call_command("load_demo")
    call_command("load_demo")
    assert Article.objects.published().count() == 4
    home = client.get("/").content.decode()
    assert "Harbour bridge reopens" in home
