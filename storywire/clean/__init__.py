"""Cleaning: feed HTML and titles into text (and safe HTML) that downstream services use as is.

The whole public surface is here; docs/cleaning.md explains the choices and figures.
"""

from storywire.clean.language import detect_language
from storywire.clean.rules import DEFAULT_RULES, Rule, RuleKind, drop_from_page, parse_rules
from storywire.clean.sanitize import absolute_links, cut_from, first_image, sanitize_html
from storywire.clean.text import clean_title, html_to_text, lead

__all__ = [
    "DEFAULT_RULES",
    "Rule",
    "RuleKind",
    "absolute_links",
    "clean_title",
    "cut_from",
    "detect_language",
    "drop_from_page",
    "first_image",
    "html_to_text",
    "lead",
    "parse_rules",
    "sanitize_html",
]
