from django.core.paginator import Paginator
from django.shortcuts import render

from jobs.models import JobRun
from jobs.schedule import JOBS
from wako_collections.access import menu_required


@menu_required("audit")
def runs(request):
    """Each scheduled job with its schedule and last run, then every run, newest first.
    Cost: one DISTINCT ON query and one page of runs."""
    latest = {run.job: run for run in JobRun.objects.latest_per_job()}
    schedule = [
        {"job": job, "enabled": job.enabled(), "latest": latest.get(job.name)} for job in JOBS.values()
    ]
    page = Paginator(JobRun.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "jobs/runs.html", {"schedule": schedule, "page": page})
