"""What a support conversation gives for free: greetings, sign-offs, "my name is",
chat speaker labels and honorifics announce a name; legal suffixes announce an
organisation; job titles and health details are quasi-identifiers (OTHER);
placeholders left by an earlier redaction step stand for the value they hid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hushdesk.redaction.recognizers.base import (
    Prefilter,
    by_first_letter,
    first_digit,
    folded,
    has_any,
    has_any_folded,
)
from hushdesk.redaction.types import (
    ACCOUNT_ID,
    ADDRESS,
    DATE,
    EMAIL,
    IP_ADDRESS,
    ORGANIZATION,
    OTHER,
    PERSON,
    PHONE,
    URL,
    Candidate,
)

_NAME = r"[A-Z][a-zà-ÿ'\u2019]+(?:-[A-Z][a-zà-ÿ]+)?"
_FULL_NAME = rf"{_NAME}(?:[ \t]+(?:[A-Z]\.?[ \t]+)?{_NAME}){{0,2}}"
_LOWER_OR_TITLE = r"(?:[A-Z][a-zà-ÿ'\u2019]+|[a-zà-ÿ]{2,})"
# A second lower-case word after "my name is" is a surname only if it is not one of
# these ("my name is krithika and I ...", "my name is ahmed from ...").
_FUNCTION_WORD = (
    r"(?i:and|but|or|i|im|i'm|from|here|in|at|the|so|is|was|not|also|too|btw|lol|haha|with|"
    r"for|to|of|on|by|if|my|me|we|you|ur|u|nd|n|&|bro|sis|lmao|omg|what|who|its|it's)\b"
)

# A greeting opens a line; a sign-off word ends the line before the name ("Regards,").
_GREETING_STARTS = ("hi", "hello", "hey", "dear", "greetings", "good ", "thank", "thx", "cheers", "welcome", "bye")
_SIGN_OFF_ENDS: tuple[str, ...] = ("regards", "best", "thanks", "thank you", "cheers", "sincerely", "yours", "warmly")
_SIGN_OFF_ENDS += ("talk soon", "br", "best wishes")


def _line_starting_with(words: tuple[str, ...]) -> Prefilter:
    """Prefilter: some line starts (after spaces and tabs) with one of ``words``, in any
    case. (One regex search of the folded text; no word starts with a space or tab.)"""
    search = re.compile(rf"(?m:^)[ \t]*(?:{'|'.join(map(re.escape, words))})").search
    return lambda text: search(folded(text)) is not None


def _line_ending_with(words: tuple[str, ...]) -> Prefilter:
    """Prefilter: some line that a newline ends closes with one of ``words`` (in any
    case), then an optional comma, spaces and tabs. (Every word ends with a letter.)"""
    search = re.compile(rf"(?:{'|'.join(map(re.escape, words))}),?[ \t]*\n").search
    return lambda text: search(folded(text)) is not None


_INTRODUCTIONS = (
    *("my name is", "my name's", "name is", "i am called", "call me", "this is", "i'm", "i am", "signed"),
    *("speak(?:ing)? (?:to|with)", "ask for", "assigned to", "cc'?d?", "attn:?", "attention:?"),
)

# (pattern, score, reason, prefilter); group 1 is the name. A prefilter is a cheap
# necessary condition of its pattern (a word or character it cannot match without):
# most messages skip most of these scans.
_PERSON_PATTERNS: tuple[tuple[re.Pattern[str], float, str, Prefilter], ...] = (
    (
        re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Herr|Frau|Sr|Sra)\.?[ \t]+{_FULL_NAME}"),
        0.85,
        "honorific followed by a capitalised name",
        # "Mr" covers "Mrs", "Sr" covers "Sra".
        has_any("Mr", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Madam", "Mme", "Herr", "Frau", "Sr"),
    ),
    (
        re.compile(rf"(?i:\b{by_first_letter(_INTRODUCTIONS)})[ \t]+({_FULL_NAME})"),
        0.75,
        "self-introduction or hand-off phrase",
        has_any_folded(
            *("name", "call me", "this is", "i'm", "i am", "signed", "speak", "ask for", "assigned to", "cc"),
            *("attn", "attention"),
        ),
    ),
    (
        re.compile(
            rf"(?i:\b(?:my name is|my name's|call me))[ \t]+(?i:called[ \t]+)?"
            rf"({_LOWER_OR_TITLE}(?:[ \t]+(?!{_FUNCTION_WORD}){_LOWER_OR_TITLE})?)"
        ),
        0.7,
        "self-introduction (any case)",
        has_any_folded("my name", "call me"),
    ),
    (
        re.compile(
            rf"(?im:^[ \t]*(?:hi|hello|hey|dear|hiya|greetings|good (?:morning|afternoon|evening)|thanks|"
            rf"thank you|thx|cheers|welcome|bye)),?[ \t]+({_FULL_NAME})(?=[ \t]*[,!.:\n]|$)"
        ),
        0.8,
        "greeting or thanks addressed to a name",
        _line_starting_with(_GREETING_STARTS),
    ),
    (
        re.compile(
            rf"(?i:(?:regards|best|thanks|thank you|cheers|sincerely|yours|warmly|talk soon|br|"
            rf"kind regards|best wishes|many thanks),?)[ \t]*\n"
            rf"[ \t]*(?:[-\u2014\u2013~]+[ \t]*)?({_FULL_NAME})[ \t]*(?=\n|$)"
        ),
        0.85,
        "name on the line after a sign-off",
        _line_ending_with(_SIGN_OFF_ENDS),
    ),
    (
        re.compile(rf"(?m:^[ \t]*[-\u2014\u2013~]{{1,2}}[ \t]*({_FULL_NAME})[ \t]*$)"),
        0.75,
        "dash signature line",
        has_any("-", "\u2014", "\u2013", "~"),
    ),
    (
        re.compile(rf"(?m:^[ \t]*\[?[0-9:. ]+(?:[AaPp][Mm])?\]?[ \t]*({_FULL_NAME})(?=[ \t]*(?:\([^)\n]*\))?:))"),
        0.85,
        "chat speaker label",
        has_any(":"),
    ),
    (
        re.compile(
            rf"(?im:^[ \t]*(?:from|to|cc|bcc|sender|receiver|recipient|name|full name|customer|client|"
            rf"patient|applicant|employee|contact|agent|doctor|physician|student|tenant|landlord|"
            rf"beneficiary|account holder|cardholder|guest|passenger|author|manager|reviewer|"
            rf"candidate|member|user|witness|plaintiff|defendant|insured|policyholder)"
            rf"(?: name)?[ \t]*:[ \t]*(?:(?:Mr|Mrs|Ms|Dr)\.?[ \t]+)?({_FULL_NAME}))"
        ),
        0.85,
        "form field or message header that holds a name",
        has_any(":"),
    ),
)

_ORG_SUFFIXES = (
    *("Inc", "LLC", "L\\.L\\.C", "Ltd", "Limited", "Corp", "Corporation", "Co", "Company", "GmbH", "AG", "SA"),
    *("S\\.A", "SAS", "SARL", "BV", "NV", "PLC", "LLP", "LP", "Pty", "Group", "Holdings", "Bank", "University"),
    *("College", "School", "Academy", "Hospital", "Clinic", "Foundation", "Institute", "Agency", "Solutions"),
    *("Technologies", "Tech", "Systems", "Consulting", "Partners", "Associates", "Industries", "Enterprises"),
    *("Services", "Labs", "Laboratories", "Insurance", "Capital", "Ventures", "Media", "Studios", "Software"),
    *("Pharmaceuticals", "Logistics", "Motors", "Airlines", "Bakery", "Cafe", "Restaurant", "Hotel", "Store"),
    *("Shop", "Department"),
)
_ORG_SUFFIX = "(?:" + "|".join(_ORG_SUFFIXES) + ")"
_ORG_WORD = r"[A-Z][\w&'\u2019-]*"
_ORG = re.compile(
    rf"\b(?:(?:{_ORG_WORD}|[A-Z]{{2,}}|of|and|&|the|for)[ \t]+){{0,4}}{_ORG_WORD}[ \t]+{_ORG_SUFFIX}\b\.?"
    rf"|\b(?:University|College|Bank|Institute|Hospital|School|Department|Ministry) of(?:[ \t]+{_ORG_WORD}){{1,3}}"
)
# Anchored by .match() at the organisation's start (a "^" would only match at index 0).
_ORG_JOINT = re.compile(rf".*[ \t](?:of|and|&)[ \t]+(?=(?:{_ORG_WORD}[ \t]+){{1,3}}{_ORG_SUFFIX}\b)")
# _ORG needs a suffix after a space or tab (first alternative) or a word of the second one.
_HAS_ORG_WORD = has_any(
    *(blank + suffix.replace("\\.", ".") for suffix in _ORG_SUFFIXES for blank in " \t"),
    *(f"{word} of" for word in ("University", "College", "Bank", "Institute", "Hospital", "School", "Department")),
    "Ministry of",
)
_ORG_LEADING_NOISE = re.compile(r"^(?:the|of|and|for|at|from|to|with|in)\s+", re.IGNORECASE)

_ROLE_FUNCTION = (
    r"(?:Marketing|Sales|HR|Human Resources|IT|Finance|Financial|Operations|Product|Project|Program|"
    r"Software|Data|Account|Accounts|Customer Success|Customer Service|Support|Engineering|Research|"
    r"Business|Technical|Communications|Legal|Compliance|Security|Quality|Content|Graphic|UX|UI|"
    r"Web|Network|Systems|Office|Store|Regional|General|Executive|Administrative|Creative|Design|"
    r"Development|Training|Procurement|Logistics|Supply Chain|Brand|Social Media|Public Relations|PR|"
    r"Team|QA|Network|Finance|Sales Operations|Customer Experience)"
)
_ROLE_NOUNS = (
    *("Manager", "Director", "Engineer", "Developer", "Analyst", "Specialist", "Coordinator", "Officer"),
    *("Designer", "Assistant", "Consultant", "Administrator", "Lead", "Head", "Representative", "Rep"),
    *("Associate", "Executive", "Strategist", "Architect", "Scientist", "Accountant", "Advisor", "Adviser"),
    *("Supervisor", "Intern", "Recruiter", "Editor", "Writer", "Agent", "Planner", "Technician", "Auditor"),
    *("Controller", "Generalist", "Partner", "Clerk", "Secretary", "Nurse", "Teacher", "Professor", "Owner"),
    *("Lecturer", "Pharmacist", "Therapist", "Surgeon", "Librarian", "Programmer", "Paralegal", "Attorney"),
    *("Cashier",),
)
_ROLE_NOUN = "(?:" + "|".join(_ROLE_NOUNS) + ")"
_JOB_TITLE = re.compile(
    rf"\b(?:(?:Senior|Junior|Sr\.|Jr\.|Lead|Chief|Head|Principal|Staff|Assistant|Associate|Deputy|Vice)[ \t]+)?"
    rf"(?:{_ROLE_FUNCTION}[ \t]+)?{_ROLE_NOUN}\b(?:[ \t]+of[ \t]+{_ROLE_FUNCTION}\b)?"
    rf"|\b(?:CEO|CTO|CFO|COO|CIO|CMO|CISO|CPO|VP of [A-Z]\w+|Vice President|President|Founder|Co-Founder)\b"
)
# _JOB_TITLE needs a role noun (first alternative) or a word of the second one.
_HAS_JOB_WORD = has_any(
    *_ROLE_NOUNS, *("CEO", "CTO", "CFO", "COO", "CIO", "CMO", "CISO", "CPO", "VP of ", "President", "Founder")
)
_MEDICATION = re.compile(
    r"\b[A-Z][a-z]{3,}(?:in|ol|il|ide|ine|one|ate|pam|lam|mab|tan|pril|cin|xin|sone|zole|statin|mide|fen|"
    r"rin|lin|dine|zine|vir|cillin)\s*\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|iu|units)\b"
)
_CONDITION_PREFIX = r"(?:(?:acute|chronic|severe|mild|moderate|seasonal|type [12])\s+)?"
_CONDITION_SUFFIX = r"(?:\s+(?:type [12]|mellitus|disorder|attack|inhaler|syndrome|infection))?"
_CONDITIONS = re.compile(
    rf"\b(?i:{_CONDITION_PREFIX}(?:appendicitis|chest pain|migraines|sinusitis|gastritis|fracture|"
    r"hypertension|diabetes|type [12] diabetes|asthma|pneumonia|bronchitis|depression|anxiety|"
    r"migraine|arthritis|cancer|leukemia|hiv|aids|hepatitis [abc]|covid-19|influenza|epilepsy|"
    r"alzheimer'?s|parkinson'?s|dementia|schizophrenia|bipolar disorder|adhd|autism|copd|"
    r"heart disease|heart failure|stroke|obesity|hypothyroidism|hyperthyroidism|anemia|"
    r"tuberculosis|kidney disease|allergy to penicillin|penicillin|pregnan(?:t|cy)|"
    r"high blood pressure|high cholesterol|eczema|psoriasis|celiac disease|crohn'?s disease|"
    rf"lisinopril|metformin|amoxicillin|ibuprofen|insulin|atorvastatin|albuterol|sertraline){_CONDITION_SUFFIX})\b"
)
_AGE = re.compile(r"\b(\d{1,3})[- ](?:years?|yrs?)[- ]old\b|\b(?i:aged?:?)[ \t]+(\d{1,3})\b")
_DEMONYMS = (
    *("American", "Canadian", "Mexican", "Brazilian", "Argentinian", "Chilean", "Colombian", "Peruvian"),
    *("British", "English", "Scottish", "Welsh", "Irish", "French", "German", "Spanish", "Portuguese"),
    *("Italian", "Dutch", "Belgian", "Swiss", "Austrian", "Swedish", "Norwegian", "Danish", "Finnish"),
    *("Icelandic", "Polish", "Czech", "Slovak", "Hungarian", "Romanian", "Bulgarian", "Greek", "Turkish"),
    *("Russian", "Ukrainian", "Serbian", "Croatian", "Slovenian", "Estonian", "Latvian", "Lithuanian"),
    *("Israeli", "Arab", "Egyptian", "Moroccan", "Nigerian", "Kenyan", "Ghanaian", "Ethiopian"),
    *("South African", "Indian", "Pakistani", "Bangladeshi", "Chinese", "Japanese", "Korean", "Vietnamese"),
    *("Thai", "Filipino", "Indonesian", "Malaysian", "Australian", "Iranian", "Iraqi", "Saudi", "Muslim"),
    *("Christian", "Catholic", "Protestant", "Jewish", "Hindu", "Buddhist", "Sikh", "Sunni", "Shia"),
)
_DEMONYM = re.compile(r"\b(?:" + "|".join(_DEMONYMS) + r")s?\b")
# Lower-cased, for the name tagger: a nationality alone is no person ("the French", "Aussie").
DEMONYM_WORDS = frozenset(d.lower() for d in _DEMONYMS if " " not in d)

_HAS_DEMONYM = has_any(*_DEMONYMS)
# What each alternative of _AGE needs besides a digit, in the folded text: "years old"
# (or "yr-old", ...), or "age"/"aged" (and a colon) before white space and the number.
_AGE_WORDS = re.compile(r"y(?:ea)?rs?[- ]old|aged?:?[ \t]+\d")


def _may_hold_age(text: str) -> bool:
    return first_digit(text) >= 0 and _AGE_WORDS.search(folded(text)) is not None


# The end of every _MEDICATION match: the dose's last digit, its unit and a word boundary.
# Digit-led, so scanned quickly; most digits in support messages are no dose.
_DOSE = re.compile(r"\d\s?(?:mg|mcg|µg|g|ml|iu|units)\b")


def _may_hold_medication(text: str) -> bool:
    return _DOSE.search(text) is not None


# Each condition or drug of _CONDITIONS contains one of these ("migraine" covers
# "migraines", "thyroidism" hypo- and hyper-, "pregnan" pregnant and pregnancy).
_HAS_CONDITION = has_any_folded(
    *("appendicitis", "chest pain", "migraine", "sinusitis", "gastritis", "fracture", "hypertension"),
    *("diabetes", "asthma", "pneumonia", "bronchitis", "depression", "anxiety", "arthritis", "cancer"),
    *("leukemia", "hiv", "aids", "hepatitis", "covid-19", "influenza", "epilepsy", "alzheimer", "parkinson"),
    *("dementia", "schizophrenia", "bipolar disorder", "adhd", "autism", "copd", "heart disease"),
    *("heart failure", "stroke", "obesity", "thyroidism", "anemia", "tuberculosis", "kidney disease"),
    *("penicillin", "pregnan", "high blood pressure", "high cholesterol", "eczema", "psoriasis"),
    *("celiac disease", "crohn", "lisinopril", "metformin", "amoxicillin", "ibuprofen", "insulin"),
    *("atorvastatin", "albuterol", "sertraline"),
)

_PLACEHOLDER_LABELS = {
    "PERSON": PERSON, "NAME": PERSON, "FIRST_NAME": PERSON, "LAST_NAME": PERSON, "FULL_NAME": PERSON,
    "EMAIL": EMAIL, "EMAIL_ADDRESS": EMAIL, "PHONE": PHONE, "PHONE_NUMBER": PHONE,
    "ADDRESS": ADDRESS, "LOCATION": ADDRESS, "CITY": ADDRESS, "DATE": DATE, "DATE_TIME": DATE,
    "DOB": DATE, "URL": URL, "IP": IP_ADDRESS, "IP_ADDRESS": IP_ADDRESS,
    "ORGANIZATION": ORGANIZATION, "ORG": ORGANIZATION, "COMPANY": ORGANIZATION,
}  # fmt: skip
_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z_]*?)(?:_\d+)?\]|\{\{?([A-Z][A-Z_]*?)(?:_\d+)?\}?\}")


# Words a cue pattern may capture that are not names ("Hi Hi", "Thanks Team").
_NOT_A_NAME = frozenset(
    [
        *("hi", "hello", "hey", "dear", "thanks", "thank", "team", "all", "everyone", "guys", "there", "sir"),
        *("madam", "support", "customer", "agent", "again", "so", "very", "for", "the", "a", "an", "and", "is"),
    ]
)

_PRONOUN_LEAD = re.compile(r"(?:I['\u2019]m|I|Im|It['\u2019]s|This is|We['\u2019]re)[ \t]+", re.IGNORECASE)


class ConversationCueRecognizer:
    """Names, organisations, job titles and health details announced by context."""

    name = "conversation_cues"
    labels = frozenset({PERSON, ORGANIZATION, OTHER})

    def find(self, text: str) -> Iterable[Candidate]:
        for pattern, score, reason, may_match in _PERSON_PATTERNS:
            if not may_match(text):
                continue
            for match in pattern.finditer(text):
                group = 1 if pattern.groups else 0
                start, value = match.start(group), match.group(group)
                lead = _PRONOUN_LEAD.match(value)
                if lead is not None:  # "Hi, I'm Zofia Kowalczyk": the name starts after "I'm"
                    start, value = start + lead.end(), value[lead.end() :]
                if not value or value.split()[0].lower() in _NOT_A_NAME:
                    continue
                yield Candidate(start, match.end(group), PERSON, score, self.name, reason)
        for match in _ORG.finditer(text) if _HAS_ORG_WORD(text) else ():
            noise = _ORG_LEADING_NOISE.match(match.group(0))
            start = match.start() + (noise.end() if noise else 0)
            # "Jeremy Hartmann of Gradiant Research LLC": the organisation is what
            # follows the last "of"/"and" when that is itself a name plus suffix.
            joint = _ORG_JOINT.match(text, start, match.end())
            if joint is not None:
                start = joint.end()
            yield Candidate(start, match.end(), ORGANIZATION, 0.7, self.name, "name with a legal/organisation suffix")
        for match in _JOB_TITLE.finditer(text) if _HAS_JOB_WORD(text) else ():
            label_like = text[match.end() : match.end() + 1] == ":" or text[match.end() : match.end() + 2] == " :"
            if label_like and " " not in match.group(0):
                continue  # "Nurse: Linda Green": a form field, the name follows
            yield Candidate(match.start(), match.end(), OTHER, 0.92, self.name, "job title (quasi-identifier)")
        for match in _AGE.finditer(text) if _may_hold_age(text) else ():
            group = 1 if match.group(1) else 2
            yield Candidate(match.start(group), match.end(group), OTHER, 0.6, self.name, "age")
        for match in _DEMONYM.finditer(text) if _HAS_DEMONYM(text) else ():
            yield Candidate(match.start(), match.end(), OTHER, 0.55, self.name, "nationality or religion")
        for pattern, may_match in ((_MEDICATION, _may_hold_medication), (_CONDITIONS, _HAS_CONDITION)):
            if not may_match(text):
                continue
            for match in pattern.finditer(text):
                yield Candidate(match.start(), match.end(), OTHER, 0.8, self.name, "health detail")


class PriorPlaceholderRecognizer:
    """ "[PHONE_1]" or "{{NAME}}" left by an earlier redaction step: keep them redacted
    (and numbered by us) so two systems' placeholders never leak the mapping."""

    name = "prior_placeholder"
    labels = frozenset({PERSON, EMAIL, PHONE, ADDRESS, DATE, URL, IP_ADDRESS, ORGANIZATION, ACCOUNT_ID})

    def find(self, text: str) -> Iterable[Candidate]:
        if "[" not in text and "{" not in text:
            return
        for match in _PLACEHOLDER.finditer(text):
            kind = match.group(1) or match.group(2) or ""
            label = _PLACEHOLDER_LABELS.get(kind)
            if label is None and kind.endswith(("_ID", "_NUMBER", "ID")):
                label = ACCOUNT_ID
            if label is not None:
                yield Candidate(match.start(), match.end(), label, 0.9, self.name, "earlier redaction placeholder")
