"""The event machinery: the log every change appends to, the bus that announces commits and
access changes to every process, and the one tail per process that subscribers follow."""
