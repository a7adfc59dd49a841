"""Spam scoring for inbound conversations: suspect conversations go to a Spam folder, nothing is dropped."""
