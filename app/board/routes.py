"""The coaches' triage board and the actions on a report."""
from flask import Blueprint

bp = Blueprint("board", __name__)
