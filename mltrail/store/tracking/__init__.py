"""Tracking stores: experiments, runs and what runs record."""
