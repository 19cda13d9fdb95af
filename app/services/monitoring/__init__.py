"""The manager's view (issue 10): the hall's figures live and over days — waits, counters,
satisfaction, alerts with thresholds, reports and the staffing advice.

Reads the queue's, the ratings' and the payments' rows; writes only what a manager does
(acknowledging an alert, a threshold). Nothing here drives the queue.
"""
