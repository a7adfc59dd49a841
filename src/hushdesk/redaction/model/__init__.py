"""The statistical name/place/organisation tagger and its gazetteers."""
