"""The inbox: contacts, order history, conversations, messages, assignment, tags, canned replies, search."""
