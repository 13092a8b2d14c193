from django.contrib import admin

from .models import Account


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["user", "email_confirmed_at", "new_email", "created_at"]
    list_filter = [("email_confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email", "new_email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
