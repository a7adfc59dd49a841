"""Channel adapters: each turns a channel's inbound traffic into ``InboundMessage`` for the inbox core."""
