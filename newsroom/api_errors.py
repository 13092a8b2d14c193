"""How every API error is answered and documented; wired in settings.py, so no view opts in."""

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.openapi import AutoSchema as StandardizedAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import exceptions, serializers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


class APIExceptionHandler(ExceptionHandler):
    """The standard JSON error shape, also for a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413)."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        return super().convert_known_exceptions(exc)


class Error413Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[RequestTooLarge.default_code])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse413Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error413Serializer(many=True)


class AutoSchema(StandardizedAutoSchema):
    """Document the 413 only where a request has a body to be too large."""

    def _should_add_error_response(self, responses, status_code):
        if status_code == "413":
            return self.method in ("POST", "PUT", "PATCH") and status_code not in responses
        return super()._should_add_error_response(responses, status_code)
