"""docgap: trigger point injection documentation-gap detection.

Text -> medspaCy Doc (nlp pipeline) -> Facts (plain data) -> suggested codes -> Findings (rules).
Rules never see spaCy objects; see docgap.facts for the seam.
"""
__version__ = "0.1.0"
CONTRACT_VERSION = 1
