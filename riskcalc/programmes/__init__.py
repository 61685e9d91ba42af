"""Programmes over years: a cohort enters each year, each following the model from its entry.

Modules
-------
cohorts
    Each cohort's environment (its years since entry, intake and draws), the
    calendar-year environment of programme-level flows, and the superposition of
    the cohorts' cash flows on the calendar years.

The model file's ``[programme]`` is read by :mod:`riskcalc.model.loader` into a
:class:`riskcalc.model.objects.Programme`; the engine calls this package.
"""
