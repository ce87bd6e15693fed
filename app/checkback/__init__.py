"""'Merkbaar beter?': the page behind the links in the after-solution mail (no login)."""
