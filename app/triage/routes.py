"""The weekly session of the ontregelcoaches (weekoverleg)."""
from flask import Blueprint

bp = Blueprint("triage", __name__)
