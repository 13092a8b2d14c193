from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Article, ArticleLink


class ArticleLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArticleLink
        fields = ["kind", "title", "url"]


class ReactionCountSerializer(serializers.Serializer):
    key = serializers.CharField()
    emoji = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(min_value=0)
    share = serializers.IntegerField(
        min_value=0, max_value=100, help_text="Percentage of all reactions on the story."
    )


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    tags = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name", help_text="Names the story is about."
    )
    comment_count = serializers.IntegerField(read_only=True)
    comments_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "url",
            "headline",
            "standfirst",
            "caption",
            "byline",
            "published_at",
            "comment_count",
            "comments_open",
            "reactions_enabled",
            "tags",
        ]

    def get_url(self, article) -> str:
        return self.context["request"].build_absolute_uri(article.get_absolute_url())


class ArticleDetailSerializer(ArticleSerializer):
    paragraphs = serializers.ListField(child=serializers.CharField(), read_only=True)
    links = ArticleLinkSerializer(many=True, read_only=True)
    reactions = serializers.SerializerMethodField()

    class Meta(ArticleSerializer.Meta):
        fields = ArticleSerializer.Meta.fields + [
            "image_url",
            "image_alt",
            "video_url",
            "video_credit",
            "reaction_prompt",
            "paragraphs",
            "links",
            "reactions",
        ]

    @extend_schema_field(ReactionCountSerializer(many=True))
    def get_reactions(self, article):
        return ReactionCountSerializer(self.context["reaction_tally"], many=True).data


class CommentCountSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    comment_count = serializers.IntegerField(min_value=0)
