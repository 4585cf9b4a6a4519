"""The demo collaborative's content (content.py) and how it becomes rows (build.py).

Everything is placed in time by month numbers counted from the collaborative's first month
(month 0), so the data always ends with the last complete month before today.
"""
