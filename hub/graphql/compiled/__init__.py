"""Reads compiled to one statement per root field (see README, "The compiled read path").

`plan` turns an operation into a tree of what each object selects, or says why it cannot;
`project` generates one function per (object, view) that builds an object's answer from
a row; `run` executes a plan: one statement per root field, the policy's view of each
row, the audit recorder told exactly what the stock path would tell it.
"""
