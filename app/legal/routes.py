"""Juridische Zaken: the escalation dossiers, their overview and exports."""
from flask import Blueprint

bp = Blueprint("legal", __name__)
