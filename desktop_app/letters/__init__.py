"""Referral letters and other documents as PDF (ReportLab). No Qt."""
