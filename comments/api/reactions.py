"""Reactions: a story's reaction bar, and setting or clearing the reader's own reaction."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from .. import reactions
from ..readers import known_reader_key
from ..serializers import ReactionBarSerializer, ReactionChoiceSerializer
from .base import ReaderAPIView, StoryMixin, reader_of, service_errors


@extend_schema_view(
    get=extend_schema(operation_id="getReactions", summary="A story's reaction tally with shares"),
    put=extend_schema(
        operation_id="setReaction",
        summary="Set your reaction",
        description="Replaces your other reaction, if any; setting the same one again keeps it.",
        request=ReactionChoiceSerializer,
    ),
    delete=extend_schema(
        operation_id="clearReaction",
        summary="Clear your reaction (if you have one)",
        description="Answers the tally as it is afterwards, like setting one.",
        responses={200: ReactionBarSerializer},
    ),
)
class StoryReactions(ReaderAPIView, StoryMixin, generics.GenericAPIView):
    serializer_class = ReactionBarSerializer

    def get(self, request, slug):
        return self.respond(known_reader_key(request._request))

    def put(self, request, slug):
        article = self.article
        incoming = ReactionChoiceSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        kind = incoming.validated_data["kind"]
        reader = reader_of(request)
        with service_errors():
            reactions.reaction_set(article=article, reader=reader, kind=kind, toggle=False)
        return self.respond(reader.key)

    def delete(self, request, slug):
        article = self.article
        reader = reader_of(request)
        with service_errors():
            reactions.reaction_set(article=article, reader=reader, kind=None, toggle=False)
        return self.respond(reader.key)

    def respond(self, reader_key):
        return Response(self.get_serializer(reactions.reaction_bar(self.article, reader_key)).data)
