"""What both business-model packs match: the group of business-model rows sharing an attribute.

Every business-model rule matches the project and such a group (rules/records.py `group`), and
records its findings about a business model (`BM`).
"""

from rules._experta import P
from rules.records import group

BM = "business_model"
NONEMPTY = P(bool)
SEED = "000_3774adf2b4c550fa.txt"


def model_group(attribute: str, value, extra: bool = False):  # type: ignore[no-untyped-def]
    """The group of business-model rows sharing `attribute`; binds ids, c(ites), soft."""
    return group(attribute, value, of="model", extra=extra)
