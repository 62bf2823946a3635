from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "帳票"

    def ready(self):
        from documents.timeline import collection_entries, disposition_entries, document_entries
        from negotiations.queues import TIMELINE_PROVIDERS

        for provider in (document_entries, disposition_entries, collection_entries):
            if provider not in TIMELINE_PROVIDERS:
                TIMELINE_PROVIDERS.append(provider)
