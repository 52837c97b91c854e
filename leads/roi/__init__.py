"""Campaign ROI: what each campaign and channel cost and brought, by first- or last-touch
attribution over the leads' campaign history (`CampaignTouch`). `attribution` says which
campaign a figure is credited to; `report` counts the figures through the one funnel
definition (`leads.funnel`) and prices them."""
