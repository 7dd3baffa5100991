from django.apps import AppConfig


class DialogConfig(AppConfig):
    name = "dialog"
    verbose_name = "Pelaksanaan dan Pemantauan Kinerja"
