"""Every user-facing string of layers/, keyed, in Ukrainian and English.

Kept in one dict so the lead can move the entries into i18n/messages.toml unchanged
(same key -> {uk, en} shape, same ``{placeholder}`` formatting as ``i18n.t``).
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "attribution": {"uk": "© OpenStreetMap contributors", "en": "© OpenStreetMap contributors"},
    "demo_label": {"uk": "ДЕМО-ДАНІ (DEMO DATA): синтетичне місто", "en": "DEMO DATA: synthetic city"},
    "layer.basemap": {"uk": "Офлайн-основа (з газетиру)", "en": "Offline basemap (from the gazetteer)"},
    "layer.osm": {"uk": "Тайли OpenStreetMap (потрібен інтернет)", "en": "OpenStreetMap tiles (needs internet)"},
    "layer.public_cells": {"uk": "Звернення за комірками", "en": "Reports by cell"},
    "layer.public_districts": {"uk": "Звернення за мікрорайонами", "en": "Reports by microdistrict"},
    "layer.actions": {"uk": "Заходи і що зроблено", "en": "Actions and what was done"},
    "layer.gistar": {"uk": "Осередки Gi*", "en": "Gi* hot and cold spots"},
    "layer.kde": {"uk": "Щільність (KDE)", "en": "Density (KDE)"},
    "layer.clusters": {"uk": "Кластери (DBSCAN/HDBSCAN)", "en": "Clusters (DBSCAN/HDBSCAN)"},
    "layer.emerging": {"uk": "Динаміка осередків", "en": "Emerging hotspots"},
    "layer.points": {"uk": "Звернення (показано {shown} з {total})", "en": "Reports (showing {shown} of {total})"},
    "layer.top": {"uk": "Найгарячіші комірки", "en": "Top hotspot cells"},
    "layer.district_counts": {"uk": "Звернення за мікрорайонами", "en": "Reports by microdistrict"},
    "layer.district_rates": {"uk": "На 1000 мешканців", "en": "Per 1,000 residents"},
    "layer.district_change": {"uk": "Зміна до попереднього періоду", "en": "Change vs the previous period"},
    "layer.council_cells": {"uk": "Звернення за комірками (рівень 8)", "en": "Reports by cell (resolution 8)"},
    "layer.survey": {"uk": "Опитування: {measure}", "en": "Survey: {measure}"},
    "layer.survey_change": {"uk": "Опитування: зміна, {measure}", "en": "Survey: change, {measure}"},
    "layer.meetings": {"uk": "Місця зустрічей", "en": "Meeting places"},
    "legend.period": {"uk": "Період: {period}", "en": "Period: {period}"},
    "legend.reports": {"uk": "звернень", "en": "reports"},
    "legend.per_1000": {"uk": "звернень на 1000 мешканців", "en": "reports per 1,000 residents"},
    "legend.change": {"uk": "зміна, звернень", "en": "change, reports"},
    "legend.per_km2": {"uk": "звернень на км²", "en": "reports per km²"},
    "legend.fewer_than_k": {"uk": "менше {k} звернень", "en": "fewer than {k} reports"},
    "legend.share": {"uk": "частка відповідей, %", "en": "share of answers, %"},
    "legend.suppressed": {"uk": "менше {n} анкет: не показано", "en": "fewer than {n} answers: not shown"},
    "legend.gistar": {"uk": "Осередки Getis-Ord Gi* (FDR)", "en": "Getis-Ord Gi* hot and cold spots (FDR)"},
    "legend.z": {"uk": "рівень довіри", "en": "confidence level"},
    "gistar.3": {"uk": "Гарячий осередок, 99%", "en": "Hot spot, 99%"},
    "gistar.2": {"uk": "Гарячий осередок, 95%", "en": "Hot spot, 95%"},
    "gistar.1": {"uk": "Гарячий осередок, 90%", "en": "Hot spot, 90%"},
    "gistar.0": {"uk": "Не значущо", "en": "Not significant"},
    "gistar.-1": {"uk": "Холодний осередок, 90%", "en": "Cold spot, 90%"},
    "gistar.-2": {"uk": "Холодний осередок, 95%", "en": "Cold spot, 95%"},
    "gistar.-3": {"uk": "Холодний осередок, 99%", "en": "Cold spot, 99%"},
    "emerging.new": {"uk": "Новий", "en": "New"},
    "emerging.consecutive": {"uk": "Послідовний", "en": "Consecutive"},
    "emerging.intensifying": {"uk": "Посилюється", "en": "Intensifying"},
    "emerging.persistent": {"uk": "Стійкий", "en": "Persistent"},
    "emerging.diminishing": {"uk": "Слабшає", "en": "Diminishing"},
    "emerging.sporadic": {"uk": "Епізодичний", "en": "Sporadic"},
    "emerging.oscillating": {"uk": "Коливний", "en": "Oscillating"},
    "emerging.historical": {"uk": "Історичний", "en": "Historical"},
    "emerging.hot": {"uk": "гарячий", "en": "hot"},
    "emerging.cold": {"uk": "холодний", "en": "cold"},
    "tip.count": {"uk": "{n} звернень", "en": "{n} reports"},
    "tip.fewer": {"uk": "менше {k} звернень на місяць", "en": "fewer than {k} reports a month"},
    "tip.partial": {"uk": " (місяці з менш ніж {k} не враховано)", "en": " (months with fewer than {k} left out)"},
    "tip.rest": {"uk": "Решта мікрорайону {district}", "en": "Rest of microdistrict {district}"},
    "tip.rank": {"uk": "№ {rank}: z = {z}, {n} звернень", "en": "No. {rank}: z = {z}, {n} reports"},
    "tip.cluster": {"uk": "Кластер {cluster}: {n} звернень", "en": "Cluster {cluster}: {n} reports"},
    "col.district": {"uk": "Мікрорайон", "en": "Microdistrict"},
    "col.place": {"uk": "Комірка", "en": "Cell"},
    "col.count": {"uk": "Звернень", "en": "Reports"},
    "popup.category": {"uk": "Категорія", "en": "Category"},
    "popup.time": {"uk": "Час", "en": "Time"},
    "popup.status": {"uk": "Статус", "en": "Status"},
    "popup.text": {"uk": "Текст (знеособлений)", "en": "Text (redacted)"},
    "popup.level": {"uk": "Точність місця", "en": "Geocode level"},
    "popup.uncertainty": {"uk": "± {m} м", "en": "± {m} m"},
    "popup.owner": {"uk": "Відповідальний", "en": "Owner"},
    "popup.due": {"uk": "Термін", "en": "Due"},
    "popup.note": {"uk": "Що зроблено", "en": "What was done"},
    "popup.attendees": {"uk": "Учасників", "en": "Attendees"},
    "popup.n": {"uk": "Анкет", "en": "Answers"},
    "status.open": {"uk": "заплановано", "en": "planned"},
    "status.in_progress": {"uk": "виконується", "en": "in progress"},
    "status.done": {"uk": "виконано", "en": "done"},
    "all_groups": {"uk": "усі групи", "en": "all groups"},
    "other_areas": {"uk": "інші території", "en": "other areas"},
    "survey.awareness": {"uk": "обізнаність", "en": "awareness"},
    "survey.trust_police": {"uk": "довіра до поліції", "en": "trust in the police"},
    "survey.trust_council": {"uk": "довіра до міської ради", "en": "trust in the council"},
    "survey.trust_community": {"uk": "довіра до громадських організацій", "en": "trust in community organisations"},
    "method.title": {"uk": "Як зроблено мапу", "en": "How this map is made"},
    "method.body": {
        "uk": (
            "- **Комірки.** Місто поділено на шестикутники H3 рівня {res} (у середньому {area} км², "
            "сторона близько {edge} м). Місця приблизні: звернення показано в комірці, а не в точці; "
            "у комірці з менш ніж {min_addr} адресами звернення враховано лише в мікрорайоні.\n"
            "- **Час.** Лише цілі календарні місяці або квартали{period}. Дані публікуються "
            "щонайменше через {lag} днів після кінця періоду.\n"
            "- **Поріг.** Кількість менша за k показано лише як «менше k» (k = {ks}); для всіх груп "
            "разом показано суму чисел, що пройшли поріг своєї групи. Ці звернення не входять у жодну суму, тож підсумки можуть бути меншими "
            "за фактичні.\n"
            "- **Що не публікується.** Тексти звернень, точні точки, час, імена й контакти.\n"
            "- **Не враховано.** Відхилені звернення й повтори (повтор рахується один раз).\n"
            "- **Основа мапи.** © OpenStreetMap contributors."
        ),
        "en": (
            "- **Cells.** The city is divided into H3 hexagons of resolution {res} (on average "
            "{area} km², sides of about {edge} m). Places are approximate: a report is shown in its "
            "cell, not at a point; in a cell with fewer than {min_addr} addresses reports count only "
            "in the microdistrict.\n"
            "- **Time.** Whole calendar months or quarters only{period}. Figures are published at "
            "least {lag} days after the period ends.\n"
            "- **Threshold.** A count below k is shown only as \"fewer than k\" (k = {ks}); all groups "
            "together show the sum of the counts that passed their own group's k. Those reports enter no total, so totals can be lower than the "
            "real numbers.\n"
            "- **Never published.** Report texts, exact points, times, names and contacts.\n"
            "- **Not counted.** Rejected reports and duplicates (a repeated report counts once).\n"
            "- **Basemap.** © OpenStreetMap contributors."
        ),
    },
    "method.period": {"uk": "; на цій мапі: {period}", "en": "; this map: {period}"},
}


def plain(value: object) -> str:
    """A frame cell as text: '' for None/NaN (which pandas would print as 'nan')."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def tr(key: str, lang: str = "uk", **values: object) -> str:
    """The text for `key` in `lang` (Ukrainian if missing); unknown keys fail loudly."""
    entry = TEXT[key]
    text = entry.get(lang) or entry["uk"]
    return text.format(**values) if values else text
