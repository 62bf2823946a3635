from taxpayers.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "宛名CSVを取り込む（全行を検証し、1行でも誤りがあれば何も書き込まない）"
    kind = "persons"
    label = "宛名の取込"
