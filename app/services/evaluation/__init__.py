"""Customer evaluations at the counter (评价器) and the alerts the hall raises for the
duty manager: a dissatisfied rating, paper out, a device offline."""
