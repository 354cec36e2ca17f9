"""Understanding report text: redaction, classification, time phrases, de-duplication, and the
word lists they share with the geocoder (vocabulary)."""
