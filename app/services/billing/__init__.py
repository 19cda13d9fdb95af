"""Counter business: accounts, bills, fees, payments, receipts, end-of-day closing. Money
is `Decimal` in code and whole fen (分, `int`) in the database, never `float`; the pure
rules (amounts, Chinese capitals, late fees) live in their own modules without a database
or Qt, so the desks, the receipts and the closing report all compute money the same way.
"""
