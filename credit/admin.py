from django.contrib import admin

from credit.models import (
    CreditAccount,
    CreditEntry,
    CreditSubject,
    IncentiveRule,
    Redemption,
    StockChange,
    StoreItem,
)
from gridgov.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(CreditSubject)
class CreditSubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(IncentiveRule)
class IncentiveRuleAdmin(admin.ModelAdmin):
    """The incentive items: the preset's are reloaded with it; add the city's own here."""

    list_display = ["key", "name", "points", "unit", "subject", "is_active"]
    list_filter = ["unit", "is_active", "subject"]
    search_fields = ["key", "name"]


class StockChangeInline(ReadOnlyInline):
    model = StockChange
    fields = ["created_at", "reason", "delta", "stock_after", "actor", "redemption"]
    readonly_fields = fields


@admin.register(StoreItem)
class StoreItemAdmin(admin.ModelAdmin):
    """Stock changes only through the store's restock action, never by overwriting it."""

    inlines = [StockChangeInline]
    list_display = ["name", "node", "cost", "stock", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "node__name"]
    readonly_fields = ["stock"]
    raw_id_fields = ["node"]


class EntryInline(ReadOnlyInline):
    model = CreditEntry
    fields = ["created_at", "kind", "delta", "balance_after", "rule", "quantity", "note", "actor"]
    readonly_fields = fields


@admin.register(CreditAccount)
class CreditAccountAdmin(ReadOnlyAdmin):
    """The ledger is append-only: it changes through the credit actions, not here."""

    list_display = ["resident", "balance", "earned", "volunteer_hours", "updated_at"]
    search_fields = ["resident__name"]
    inlines = [EntryInline]


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ["item", "account", "cost", "status", "created_at", "closed_at"]
    list_filter = ["status"]
