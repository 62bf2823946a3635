"""Every create form is saved once per submission.

A create form carries a token issued when the page is rendered (`{% submission_token %}`, from
wako_collections/templatetags/submissions.py). A view decorated `@once_per_submission` takes the
token before it runs: the first POST with it proceeds; an identical second POST (a double click, a
browser resending) finds it taken and is redirected to the page the first one went to, with a
message, and creates nothing. The unique constraint decides between two POSTs arriving together.
A POST that does not end in a redirect (the form shown again with its errors) or that fails gives
its token back, so the corrected form can be sent. A POST without a token (a client other than the
app's own pages) is handled as before.
"""

import secrets
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect

from wako_collections.models import FormSubmission

FIELD = "submission_token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def once_per_submission(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not token or len(token) > 64:
            return view(request, *args, **kwargs)
        staff_number = getattr(request.user, "staff_number", "") or ""
        try:
            with transaction.atomic():
                claim = FormSubmission.objects.create(
                    token=token, staff_number=staff_number, path=request.path[:300]
                )
        except IntegrityError:
            return _already_sent(request, token)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            claim.delete()
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            claim.result_url = response["Location"][:300]
            claim.save(update_fields=["result_url"])
        else:
            claim.delete()
        return response

    wrapped.once_per_submission = True
    return wrapped


def _already_sent(request, token: str):
    first = FormSubmission.objects.filter(token=token).first()
    if first is not None and first.result_url:
        messages.warning(
            request, "同じ入力がすでに保存されています。二重に登録しないよう、2回目の送信は処理していません。"
        )
        return redirect(first.result_url)
    return HttpResponse(
        "同じ入力を処理しています。画面を閉じずに、しばらく待ってから結果を確認してください（2回目の送信は処理していません）。",
        status=409,
        content_type="text/plain; charset=utf-8",
    )
