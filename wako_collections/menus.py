"""The menu: each entry appears only for users holding its permission.

Entries are listed as their pages exist; a business menu joins this list with its app.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from wako_collections.access import has_menu


@dataclass(frozen=True)
class MenuEntry:
    codename: str
    label: str
    url_name: str
    description: str


MENU = [
    MenuEntry(
        "payment_status",
        "収納状況照会",
        "taxpayers:search",
        "宛名を検索し、期別ごとの収納状況・延滞金を照会します。",
    ),
    MenuEntry(
        "negotiations",
        "交渉記録",
        "negotiations:my_work",
        "今日の予定、不履行の約束、接触のない滞納者を確認し、交渉を記録します。",
    ),
    MenuEntry("pledges", "分納誓約", "negotiations:pledge_list", "分納誓約の一覧と履行状況を確認します。"),
    MenuEntry(
        "inquiries",
        "照会文書",
        "dispositions:inquiry_list",
        "財産・居住状況の照会を作成し、回答を記録します。",
    ),
    MenuEntry(
        "dispositions",
        "滞納処分",
        "dispositions:list",
        "差押などの起案・決裁・取消、時効と執行停止を管理します。",
    ),
    MenuEntry(
        "dispositions",
        "過誤納金",
        "refunds:queue",
        "二重納付などの過誤納金を、未納の市税等への充当または還付として起案・決裁します。",
    ),
    MenuEntry(
        "documents",
        "帳票の一括発行",
        "documents:batch_list",
        "督促状・催告書を一括で作成し、印刷用PDFを作ります。",
    ),
    MenuEntry(
        "assign_cases", "担当割当", "negotiations:queues", "全職員の仕事を確認し、担当を割り当てます。"
    ),
    MenuEntry("import_data", "データ取込", "taxpayers:imports", "宛名・調定・収納のCSVを取り込みます。"),
    MenuEntry(
        "audit",
        "監査",
        "audit:history_search",
        "変更履歴・照会記録の分析・自己点検・開示請求・ログインの記録を確認します。",
    ),
    MenuEntry(
        "audit",
        "定期処理",
        "jobs:runs",
        "夜間・定期の処理（消込、約束・分納誓約の判定、督促状の対象など）の予定と実行結果を確認します。",
    ),
    MenuEntry("user_admin", "利用者管理", "accounts:staff_list", "職員・ロール・端末を管理します。"),
    # 逆連携: the administrator runs it, the supervisor reads the log and takes files (exchange/README.md).
    MenuEntry(
        "user_admin",
        "逆連携",
        "exchange:runs",
        "税務システムへの逆連携ファイルの書き出しを実行し、記録を確認します。",
    ),
    MenuEntry(
        "import_data",
        "逆連携",
        "exchange:runs",
        "税務システムへ書き出した逆連携の記録とファイルを確認します。",
    ),
]


def menu_for(user) -> list[dict]:
    from accounts.services import can_confirm_privilege_changes

    entries = [
        {"label": entry.label, "url": _url(entry.url_name), "description": entry.description}
        for entry in MENU
        if has_menu(user, entry.codename)
    ]
    # Not a menu permission: the confirming roles are a deployment setting (PRIVILEGE_CONFIRMER_ROLES).
    if can_confirm_privilege_changes(user):
        entries.append(
            {
                "label": "権限変更の確認",
                "url": _url("accounts:privilege_change_list"),
                "description": "ほかの職員が申請した職員登録・ロール変更・端末登録を確認し、反映または差し戻します。",
            }
        )
    return entries


# The menu's addresses, reversed once per process (per URL configuration and script prefix: fixed in
# a deployment). Reversing the fifteen entries on every page cost ~0.3–0.5 ms of each request's frame.
_reversed: dict[tuple[str, str, str], str] = {}


def _url(name: str) -> str:
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    url = _reversed.get(key)
    if url is None:
        url = _reversed[key] = reverse(name)
    return url


def menu(request):
    """Template context: the signed-in user's menu, shown only once two factors are verified."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {"menu_entries": []}
    if getattr(request, "held_for_security_key", False):  # set by RequireVerifiedStaffMiddleware
        return {"menu_entries": []}  # held on the key registration page: no menu to lead elsewhere
    return {"menu_entries": menu_for(user)}
