"""Dates: calendar dates written in articles, date expressions resolved against an article's date, years from
weekday-date agreement, clock times."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTH_PATTERN = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
WEEKDAY_PATTERN = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# "September 11, 2023", "11 September 2023", "2023-09-11"
FULL_DATE_RE = re.compile(
    rf"\b(?:(?P<m1>{MONTH_PATTERN})\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})\s+(?P<m2>{MONTH_PATTERN}),?\s+(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))\b"
)
# "Tuesday (12 September)", "Monday (Sept 11)", "Tuesday, September 12"
WEEKDAY_DATE_RE = re.compile(
    rf"\b(?P<wd>{WEEKDAY_PATTERN})\s*[,(]?\s*(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{MONTH_PATTERN})|(?P<m2>{MONTH_PATTERN})\s+(?P<d2>\d{{1,2}}))\b"
)
WEEKDAY_RE = re.compile(rf"\b{WEEKDAY_PATTERN}\b")
YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def month_number(token: str) -> int:
    """The month (1-12) of a month name or abbreviation ("Sept." -> 9)."""
    return MONTHS[token.lower().rstrip(".")]


def parse_full_date(text: str) -> dt.date | None:
    """The first complete calendar date written in `text`, if any."""
    for m in FULL_DATE_RE.finditer(text):
        try:
            if m["y1"]:
                return dt.date(int(m["y1"]), month_number(m["m1"]), int(m["d1"]))
            if m["y2"]:
                return dt.date(int(m["y2"]), month_number(m["m2"]), int(m["d2"]))
            return dt.date(int(m["y3"]), int(m["m3"]), int(m["d3"]))
        except (ValueError, KeyError):
            continue
    return None


def page_weekday_dates(text: str) -> list[dt.date]:
    """Dates written as weekday + day + month, the year chosen so the weekday matches (no earlier than years named)."""
    years = [int(y) for y in YEAR_RE.findall(text)]
    floor = max(years) if years else None
    found = []
    for m in WEEKDAY_DATE_RE.finditer(text):
        wd = WEEKDAYS[m["wd"].lower()]
        day = int(m["d1"] or m["d2"])
        month = month_number(m["m1"] or m["m2"])
        if floor is None:
            continue
        for year in range(floor, floor + 12):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                break
            if candidate.weekday() == wd:
                found.append(candidate)
                break
    return found


NEAR_WEEKDAY_DAYS = 3  # how far from the other articles' dates an undated article's named weekday is looked for


def latest_weekday_near(text: str, anchor: dt.date) -> dt.date | None:
    """The latest date on or before `anchor`, at most 3 days before it, whose weekday `text` names; else the nearest
    date after it: an undated article of a story that names only "Monday", the day after the other articles, is
    about that Monday, not the one six days before."""
    days = [(WEEKDAYS[m.group(0).lower()] - anchor.weekday()) % 7 for m in WEEKDAY_RE.finditer(text)]
    before = [ahead - 7 if ahead else 0 for ahead in days if ahead == 0 or ahead >= 7 - NEAR_WEEKDAY_DAYS]
    if before:
        return anchor + dt.timedelta(days=max(before))
    return anchor + dt.timedelta(days=min(days)) if days else None


def latest_weekday_on_or_before(text: str, anchor: dt.date) -> dt.date | None:
    """The most recent date on or before `anchor` whose weekday is named in `text`."""
    best = None
    for m in WEEKDAY_RE.finditer(text):
        wd = WEEKDAYS[m.group(0).lower()]
        candidate = anchor - dt.timedelta(days=(anchor.weekday() - wd) % 7)
        if best is None or candidate > best:
            best = candidate
    return best


# A day-month date more than this many days after the article's date is taken as last year's.
FUTURE_SLACK_DAYS = 180
# How far from the hinted year a weekday-date agreement is searched (weekday-date pairs repeat within 11 years).
WEEKDAY_YEAR_SPAN = 11

_WD = "|".join(WEEKDAYS)
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MON})\.?\b|\b({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I)
# "Sunday (19 February)", "Sunday morning, 19 February", "Tuesday, Sept. 12"
WEEKDAY_DAY_MONTH_RE = re.compile(
    rf"\b({_WD})\b(?:\s+(?:morning|afternoon|evening|night))?[\s,(]{{1,4}}"
    rf"(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MON})\.?|({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)\b", re.I)
CLOCK_RE = re.compile(r"\b(\d{1,2})[:.](\d{2})\b")
PART_OF_DAY_RE = re.compile(r"\b(morning|afternoon|evening|night|noon|midnight|dawn)\b", re.I)
# Narrative-relative days: counted from the previous dated event of the same traveller, not from the article's date.
NARRATIVE_DAYS = (
    (re.compile(r"\b(?:the\s+)?(?:next|following)\s+(?:day|morning|afternoon|evening)\b|\ba day later\b|\bovernight\b", re.I), 1),
    (re.compile(r"\b(?:the\s+)?(?:previous|preceding)\s+(?:day|evening|night)\b|\bthe day before\b|\ba day earlier\b", re.I), -1),
    (re.compile(r"\b(?:the\s+)?same\s+day\b|\blater that day\b|\bhours later\b", re.I), 0),
)
NARRATIVE_N_DAYS_RE = re.compile(r"\b(two|three|four|five|six|seven|\d)\s+days\s+(later|earlier|before)\b", re.I)
RELATIVE_RE = re.compile(r"\b(ago|last week|next week|this week|in (?:a|one|two|three|four|five|six|\d+) (?:days?|weeks?))\b", re.I)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _month_of(word: str) -> int | None:
    return MONTHS.get(word.lower().rstrip("."))


def year_by_weekday(day: int, month: int, weekday: int, near: int, latest: int | None = None) -> int | None:
    """The year nearest to `near` (earlier years first on ties, none after `latest`) in which day/month falls on `weekday`."""
    for delta in range(WEEKDAY_YEAR_SPAN + 1):
        for year in (near - delta, near + delta) if delta else (near,):
            if latest is not None and year > latest:
                continue
            try:
                if dt.date(year, month, day).weekday() == weekday:
                    return year
            except ValueError:
                return None
    return None


def weekday_dates(text: str, near_year: int, latest: int | None = None) -> list[dt.date]:
    """Dates written as weekday + day + month in `text`, each year chosen by weekday agreement nearest `near_year`."""
    out = []
    for m in WEEKDAY_DAY_MONTH_RE.finditer(text):
        month = _month_of(m.group(3) or m.group(4))
        day = int(m.group(2) or m.group(5))
        year = year_by_weekday(day, month, WEEKDAYS[m.group(1).lower()], near_year, latest) if month else None
        if year and month:
            out.append(dt.date(year, month, day))
    return out


def text_anchor(text: str, year_hint: int | None, today: dt.date) -> dt.date | None:
    """A stand-in for a missing article date: the latest full or weekday-agreeing date the text states."""
    years = [int(y) for y in YEAR_RE.findall(text)]
    near = year_hint or (max(years) if years else today.year)
    found = weekday_dates(text, near, None if year_hint else today.year)
    full = parse_full_date(text)
    if full:
        found.append(full)
    return max(found) if found else None


def _day_month(text: str, anchor: dt.date | None, context: str, year_hint: int | None) -> dt.date | None:
    m = DAY_MONTH_RE.search(text)
    if not m:
        return None
    month = _month_of(m.group(2) or m.group(3))
    day = int(m.group(1) or m.group(4))
    if not month or not 1 <= day <= 31:
        return None
    weekday = None
    for w in WEEKDAY_DAY_MONTH_RE.finditer(context or text):
        if int(w.group(2) or w.group(5)) == day and _month_of(w.group(3) or w.group(4)) == month:
            weekday = WEEKDAYS[w.group(1).lower()]
    near = anchor.year if anchor else year_hint
    if weekday is not None and near:
        year = year_by_weekday(day, month, weekday, near)
        if year:
            return dt.date(year, month, day)
    if anchor is None:
        if not year_hint:
            return None
        anchor = dt.date(year_hint, 12, 31)
    try:
        d = dt.date(anchor.year, month, day)
    except ValueError:
        return None
    if (d - anchor).days > FUTURE_SLACK_DAYS:
        d = d.replace(year=d.year - 1)
    return d


def narrative_offset(text: str) -> int | None:
    """Days from the previous dated event that `text` states ("the next day" -> 1), if it is narrative-relative."""
    m = NARRATIVE_N_DAYS_RE.search(text)
    if m:
        word = m.group(1).lower()
        n = int(word) if word.isdigit() else NUMBER_WORDS[word]
        return n if m.group(2).lower() == "later" else -n
    for pattern, days in NARRATIVE_DAYS:
        if pattern.search(text):
            return days
    return None


def resolve_date(text: str, article_date: str | None, future: bool, context: str = "",
                 year_hint: int | None = None) -> str | None:
    """ISO date (or YYYY-MM / YYYY, or --MM-DD when no year is known) of a date expression; relative words resolve
    against the article's date.

    `context` is the sentence around the expression (a weekday next to a day-month fixes its year);
    `year_hint` stands in for the year when the article has no date.
    """
    full = parse_full_date(text)
    if full:
        return full.isoformat()
    anchor = dt.date.fromisoformat(article_date) if article_date else None
    low = text.lower()
    d = _day_month(text, anchor, context, year_hint)
    if d:
        return d.isoformat()
    if anchor is None and not year_hint and not YEAR_RE.search(text):
        m = DAY_MONTH_RE.search(text)
        month = _month_of(m.group(2) or m.group(3)) if m else None
        if m and month:
            return f"--{month:02d}-{int(m.group(1) or m.group(4)):02d}"  # year left to the corpus (see with_year)
    year = YEAR_RE.search(low)
    if anchor:
        for name, wd in WEEKDAYS.items():
            if re.search(rf"\b{name}\b", low):
                if future:
                    return (anchor + dt.timedelta(days=(wd - anchor.weekday()) % 7)).isoformat()
                return (anchor - dt.timedelta(days=(anchor.weekday() - wd) % 7)).isoformat()
        if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", low):
            return anchor.isoformat()
        if re.search(r"\b(yesterday|last night)\b", low):
            return (anchor - dt.timedelta(days=1)).isoformat()
        if "day after tomorrow" in low:
            return (anchor + dt.timedelta(days=2)).isoformat()
        if "tomorrow" in low:
            return (anchor + dt.timedelta(days=1)).isoformat()
        if "last year" in low:
            return str(anchor.year - 1)
        for name, num in MONTHS.items():
            if len(name) > 3 and re.search(rf"\b{name}\b", low) and not year:
                y = anchor.year if (num <= anchor.month) != future or num == anchor.month else anchor.year + (1 if future else -1)
                return f"{y}-{num:02d}"
        if RELATIVE_RE.search(low):
            return _dateparser_relative(text, anchor, future)
    if year:
        for name, num in MONTHS.items():
            if len(name) > 3 and re.search(rf"\b{name}\b", low):
                return f"{year.group(1)}-{num:02d}"
        return year.group(1)
    return None


@lru_cache(maxsize=4096)  # the same words against the same day: dateparser is slow to ask
def _dateparser_relative(text: str, anchor: dt.date, future: bool) -> str | None:
    """'two days ago', 'in three days', 'last week' through dateparser (the case it covers well)."""
    import dateparser

    parsed = dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": dt.datetime(anchor.year, anchor.month, anchor.day),
        "PREFER_DATES_FROM": "future" if future else "past"})
    return parsed.date().isoformat() if parsed else None


def time_of(text: str, sentence: str) -> str | None:
    """Clock time (with its UTC offset or zone when the sentence gives one) or part of day named in `text`."""
    m = CLOCK_RE.search(text)
    if not m:
        m2 = PART_OF_DAY_RE.search(text)
        return m2.group(1).lower() if m2 else None
    value = f"{int(m.group(1)):02d}:{m.group(2)}"
    tz = re.search(re.escape(m.group(0)) + r"\s*\(\s*(\d{1,2})[:.](\d{2})\s*(GMT|UTC)\s*\)", sentence)
    if tz:
        local = int(m.group(1)) * 60 + int(m.group(2))
        utc = int(tz.group(1)) * 60 + int(tz.group(2))
        offset = (local - utc + 12 * 60) % (24 * 60) - 12 * 60
        sign = "+" if offset >= 0 else "-"
        value += f" (UTC{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d})"
    else:
        zone = re.search(re.escape(m.group(0)) + r"\s*(GMT|UTC|[A-Z]{2,4}T)\b", sentence)
        if zone:
            value += f" {zone.group(1)}"
    return value


def parse_iso(value: str | None) -> dt.date | None:
    """A date from an ISO string of day, month or year precision (the first day of the month or year)."""
    if not value:
        return None
    parts = value.split("-")
    try:
        return dt.date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except ValueError:
        return None


def with_year(value: str, years: list[int]) -> str | None:
    """A --MM-DD date completed with the most common of `years` (the traveller's other dates), if any."""
    if not value.startswith("--"):
        return value
    if not years:
        return None
    year = max(set(years), key=years.count)
    try:
        return dt.date(year, int(value[2:4]), int(value[5:7])).isoformat()
    except ValueError:
        return None


def states_date(text: str, iso: str) -> bool:
    """Whether `text` writes the calendar date `iso` in full (day, month and year), needing no anchor to resolve."""
    return any(str(parse_full_date(m.group(0))) == iso for m in FULL_DATE_RE.finditer(text))
