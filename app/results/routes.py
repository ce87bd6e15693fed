"""Wat we ontregelden: the rules that were fixed locally, for every employee."""
from flask import Blueprint

bp = Blueprint("results", __name__)
