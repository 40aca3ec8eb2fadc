"""The rule catalog: one module per rule family.

Every ``Rule`` subclass with a code in a module here (modules starting with
``_`` hold shared helpers) is a rule; adding a rule is adding a file.
"""
