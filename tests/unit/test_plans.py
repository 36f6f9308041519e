from shared.billing import plans


def test_indian_tenants_get_a_rupee_wallet_with_450_rupees_of_trial():
    plan = plans.plan_for(plans.currency_for_country("IN"))

    assert (plan.currency, plan.trial_credit_minor) == ("INR", 45000)


def test_everyone_else_gets_five_dollars_at_twelve_cents_a_minute():
    for country in ("US", "GB", "AU", "CA", "SG", "AE"):
        plan = plans.plan_for(plans.currency_for_country(country))
        assert (plan.currency, plan.trial_credit_minor, plan.rate_per_minute_minor) == ("USD", 500, 12)


def test_the_rupee_rate_is_comparable_to_the_dollar_rate():
    usd, inr = plans.PLANS["USD"], plans.PLANS["INR"]

    rupees_per_dollar = (inr.rate_per_minute_minor / usd.rate_per_minute_minor)
    assert 75 <= rupees_per_dollar <= 95
