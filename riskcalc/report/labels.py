"""Words of the report and its figures, in English and in Swedish.

The Swedish terms are the seed report's own (Nilsson 2017): *aktör*, *nettoeffekt*,
*socioekonomisk resultaträkning*, *investeringspuckel*, *återbetalningstid*,
*samhället*, *reala / finansiella effekter*, *produktionsvärde*.

>>> from riskcalc.report.labels import get_labels
>>> get_labels("sv")["society"]
'Samhället'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from riskcalc import format as _format

__all__ = ["LANGUAGES", "Labels", "get_labels", "as_labels", "class_label"]

_EN: dict[str, str] = {
    # Titles and sections
    "report_title": "Risk report",
    "summary": "Summary",
    "key_figures": "Net present value per actor",
    "society_distribution": "Distribution of society's net present value",
    "actor_positions": "Net position per actor: winners and losers",
    "fan_charts": "Cumulative net per year: investment hump and payback",
    "statements": "Socio-economic accounts",
    "income_statement": "Socio-economic income statement, year 1, base case",
    "accumulated": "Projected, accumulated effects by cost kind",
    "sensitivity": "Sensitivity: which assumptions matter",
    "sobol": "Sobol indices",
    "sobol_heatmap": "Total-order Sobol index: parameters × outputs",
    "tornado": "Tornado: one parameter at a time",
    "acceptability": "Acceptability curve",
    "redistribution": "Redistribution between actors",
    "verdict": "Policy verdict",
    "methods": "Methods",
    "classes": "Scenario classes",
    "files": "Files of this run",
    # Terms
    "society": "Society",
    "actor": "Actor",
    "npv": "Net present value",
    "net_effect": "Net effect",
    "cumulative_net": "Cumulative discounted net",
    "year": "Year",
    "years": "years",
    "scenarios": "scenarios",
    "share_of_scenarios": "Share of scenarios",
    "share_of_variance": "Share of the output's variance",
    "probability": "Probability",
    "prob_loss": "Probability of loss",
    "payback": "Payback time",
    "payback_by_year": "Probability of payback by year",
    "never": "never",
    "hump": "Investment hump (capital need)",
    "capital_need_p95": "Capital need (P95)",
    "mean": "Mean",
    "median": "Median",
    "to_the_right": "to the right of each box",
    "p05": "P5",
    "p95": "P95",
    "interval": "P5–P95",
    "band": "P5–P95 band",
    "revenue": "Revenue",
    "cost": "Cost",
    "net": "Net",
    "npv_over": "NPV over {years} years",
    "total": "Total",
    "cost_kind": "Cost kind",
    "real": "Real effects",
    "financial": "Financial effects",
    "production": "Production value",
    "payer": "Paying actor",
    "zero": "break-even",
    "parameter": "Parameter",
    "output": "Output",
    "first_order": "First order (S1)",
    "total_order": "Total (ST)",
    "base_output": "base case",
    "low_value": "parameter at its low value",
    "high_value": "parameter at its high value",
    "switching": "What would change the verdict",
    "what_flips": "Switching value",
    "required_return": "Required return (ROI)",
    "prob_meeting": "Probability of meeting it",
    "criterion": "Criterion",
    "measured": "Measured",
    "threshold": "Threshold",
    "margin": "Margin",
    "passed": "Passed",
    "yes": "yes",
    "no": "no",
    "APPROVE": "APPROVE",
    "REJECT": "REJECT",
    "range": "Range",
    "class": "Class",
    "roi": "ROI",
    "owner": "Owner (policy)",
    "class_means": "Mean NPV per actor in each class",
    "optimism_bias": "Optimism bias (in cost)",
    "revenue_on_paper": "Revenue on paper",
    "role": "Role",
    "expected_net": "Expected net",
    "prob_net_loser": "P(net loss)",
    "transfer": "Compensation (+ received)",
    "expected_net_after": "Expected net after",
    "prob_net_loser_after": "P(net loss) after",
    "role_loser": "loser",
    "role_gainer": "gainer",
    "role_neutral": "neutral",
    "role_outside": "outside",
    # Policy criteria ({of}: the subject; {of_gen}: its genitive) and switching values
    "of_owner": "the owner",
    "of_society": "society",
    "of_gen_owner": "the owner's",
    "of_gen_society": "society's",
    "crit_max_prob_loss": "P({of_gen} net loss)",
    "crit_min_prob_payback": "P({of} paid back within {years} years)",
    "crit_max_capital_need": "{of_gen} capital need, P{quantile}",
    "crit_min_expected_roi": "{of_gen} expected ROI (NPV / investment)",
    "crit_max_expected_shortfall": "{of_gen} mean net in the worst {tail} %",
    "crit_min_expected_npv": "{of_gen} expected NPV",
    "ratio_value": "{value} × the investment",
    "pp_value": "{value} percentage points",
    "at_most": "at most {value}",
    "at_least": "at least {value}",
    "sw_none": "no switch within the range {low} to {high}: {decision} throughout",
    "sw_above": "{decision} above {value}",
    "sw_below": "{decision} below {value}",
    "sw_binding": "binding: {names}",
    # Scenario classes
    "class_good": "Good",
    "class_half_good": "Half-good",
    "class_bad": "Bad",
    "class_very_bad": "Very bad",
    "class_loss": "Loss",
    "class_gain": "Gain",
    # Sentences of the plain-words summary
    "s_return": ("Society's expected return over {years} years is {mean} in net present value "
                 "(90 % of the scenarios lie between {p05} and {p95}); on average "
                 "{roi} times the investment."),
    "s_pays": "Who pays: {actors}.",
    "s_gains": "Who gains: {actors}.",
    "s_nobody_pays": "No actor loses at the median.",
    "s_loss_each": "Chance of a net loss over the horizon: {actors}.",
    "s_repaid": "At the median, {payer} has its outlay back by year {year}.",
    "s_not_repaid": ("At the median, {payer} does not get its outlay back within {years} "
                     "years: its gains go to other budgets."),
    "s_median_of": "median {value}",
    "s_payback": ("Society's payback: by year {median} in at least half of the scenarios, "
                  "by year {year} in {p_by}; never within {years} years in {p_never}."),
    "s_payback_rare": ("Society pays back within {years} years in only {p_paid} of the "
                       "scenarios."),
    "s_capital": ("Capital need (investment hump): {payer} needs {payer_p50} at the median "
                  "and {payer_p95} at the 95th percentile; society as a whole {society_p50} "
                  "and {society_p95}."),
    "s_claim": ("Claim tested: by year {year}, society's accumulated effect is at least "
                "{multiple} times the investment. Probability {probability}; the multiple "
                "reached has median {p50} (P5–P95 {p05}–{p95})."),
    "s_breakeven": ("Break-even: society's expected net present value is zero at "
                    "{parameter} = {value} (base case {base})."),
    "s_verdict_pass": "Policy verdict: {decision}; all {n} criteria met.",
    "s_verdict_fail": "Policy verdict: {decision}; {failed} of {n} criteria not met: {names}.",
    "s_run": "{n} scenarios, seed {seed}, run {created}.",
    # Captions
    "cap_society": ("Histogram of society's net present value over the scenarios, shaded by "
                    "scenario class; the dashed line marks the mean, the solid line zero."),
    "cap_actors": ("Each actor's net present value: box from the 25th to the 75th percentile, "
                   "whiskers from P5 to P95, line at the median. Red: loses at the median; "
                   "green: gains."),
    "cap_fan": ("Cumulative discounted net per year: median (line) and P5–P95 band. A dip "
                "below zero is the investment hump; where the line crosses zero the "
                "investment has paid back."),
    "cap_42": ("The seed's table 4.2 layout: each actor's revenue, cost and net in year 1 at "
               "base-case values, and the NPV over the horizon."),
    "cap_43": ("The seed's table 4.3 layout: cumulative discounted net by cost kind at the "
               "end of each year, median with the P5–P95 interval."),
    "cap_sobol": ("Share of the variance of the output explained by each parameter alone "
                  "(S1) and with its interactions (ST), with confidence intervals."),
    "cap_sobol_heatmap": ("Total-order index of each parameter (rows) for each output "
                          "(columns): which assumption drives which actor's result."),
    "cap_tornado": ("Output when one parameter at a time is set to its low and high value, "
                    "the others at base case; sorted by swing."),
    "cap_acceptability": ("Probability that the return (ROI) reaches each required level."),
    "cap_redistribution": ("Winners and losers in expectation, and the compensation between "
                           "actors that would leave every budget holder whole."),
    "no_model": ("The model file {source} was not found, so the base-case income statement "
                 "is left out; run `riskcalc report` from the directory the run was made in, "
                 "or name the file with --model."),
    "model_changed": ("Note: the model file {source} has changed since the run (its SHA-256 "
                      "differs); the income statement is computed from the file as it is now."),
    "unreadable": "{name} could not be read and is left out: {error}",
    "absent": "Not part of this run: {names}.",
    "generated": "Written by riskcalc {version}.",
    "tex_header": "Tables of a riskcalc run; they need \\usepackage{booktabs}.",
    # Methods paragraph
    "m_sim": ("We simulated N = {n} scenarios of the model “{model}” (file {source}, "
              "SHA-256 {sha}) over a horizon of {years} years with riskcalc {version} "
              "(Python {python}; NumPy {numpy}, SciPy {scipy}, pandas {pandas}, "
              "SALib {salib}, numba {numba})."),
    "m_commit": "riskcalc ran from git commit {commit}.",
    "m_sampling": ("Parameters were drawn by independent Monte Carlo sampling from their "
                   "declared distributions with seed {seed}; chunks of {chunk} scenarios, "
                   "random streams {streams}, so that the run is reproducible bit for bit "
                   "with any number of workers."),
    "m_estimators": ("Year 1 is not discounted and year t is discounted by (1 + r)^-(t-1). "
                     "Reported are the sample mean (with its standard error), the empirical "
                     "5th, 50th and 95th percentiles, the probability of loss as the share of "
                     "scenarios with a negative NPV, payback as the first year the cumulative "
                     "discounted net of society is non-negative, and the investment hump as "
                     "the depth of the most negative cumulative discounted net. Per-year bands "
                     "are {band_method} percentiles."),
    "m_nonfinite": "{count} scenarios with non-finite outputs were left out of the summaries.",
    "m_sobol": ("Sobol indices were estimated from N = {n} base points ({evaluations} model "
                "evaluations; sampler {sampler}, seed {seed}) with the estimators S1: {s1} and "
                "ST: {st}; {level} confidence intervals by {conf}, {resamples} resamples."),
    "m_sobol_plain": ("Sobol indices (first and total order, with confidence intervals) are "
                      "read from sobol.csv of this run directory."),
    "m_tornado": ("The tornado sets one parameter at a time to its {low} and {high} quantile, "
                  "the others at their base case."),
    "band_exact": "exact",
    "band_histogram": "histogram-based",
}

_SV: dict[str, str] = {
    "report_title": "Riskrapport",
    "summary": "Sammanfattning",
    "key_figures": "Nuvärde per aktör",
    "society_distribution": "Fördelning av samhällets nuvärde",
    "actor_positions": "Nettoeffekt per aktör: vinnare och förlorare",
    "fan_charts": "Ackumulerad nettoeffekt per år: investeringspuckel och återbetalningstid",
    "statements": "Socioekonomiskt bokslut",
    "income_statement": "Socioekonomisk resultaträkning, år 1, basfall",
    "accumulated": "Prognosticerad och ackumulerad resultaträkning per kostnadslag",
    "sensitivity": "Känslighet: vilka antaganden spelar roll",
    "sobol": "Sobolindex",
    "sobol_heatmap": "Sobolindex av total ordning: parametrar × utfall",
    "tornado": "Tornadodiagram: en parameter i taget",
    "acceptability": "Acceptanskurva",
    "redistribution": "Omfördelning mellan aktörer",
    "verdict": "Beslut enligt policy",
    "methods": "Metod",
    "classes": "Scenarioklasser",
    "files": "Filer från körningen",
    "society": "Samhället",
    "actor": "Aktör",
    "npv": "Nuvärde",
    "net_effect": "Nettoeffekt",
    "cumulative_net": "Ackumulerad diskonterad nettoeffekt",
    "year": "År",
    "years": "år",
    "scenarios": "scenarier",
    "share_of_scenarios": "Andel av scenarierna",
    "share_of_variance": "Andel av utfallets varians",
    "probability": "Sannolikhet",
    "prob_loss": "Sannolikhet för förlust",
    "payback": "Återbetalningstid",
    "payback_by_year": "Sannolikhet för återbetalning senast år",
    "never": "aldrig",
    "hump": "Investeringspuckel (kapitalbehov)",
    "capital_need_p95": "Kapitalbehov (P95)",
    "mean": "Medelvärde",
    "median": "Median",
    "to_the_right": "till höger om varje låda",
    "p05": "P5",
    "p95": "P95",
    "interval": "P5–P95",
    "band": "P5–P95-intervall",
    "revenue": "Intäkt",
    "cost": "Kostnad",
    "net": "Netto",
    "npv_over": "Nuvärde över {years} år",
    "total": "Summa",
    "cost_kind": "Kostnadslag",
    "real": "Reala effekter",
    "financial": "Finansiella effekter",
    "production": "Produktionsvärde",
    "payer": "Betalande aktör",
    "zero": "nollresultat",
    "parameter": "Parameter",
    "output": "Utfall",
    "first_order": "Första ordningen (S1)",
    "total_order": "Total (ST)",
    "base_output": "basfall",
    "low_value": "parametern på sitt låga värde",
    "high_value": "parametern på sitt höga värde",
    "switching": "Vad som skulle ändra beslutet",
    "what_flips": "Brytvärde",
    "required_return": "Avkastningskrav (ROI)",
    "prob_meeting": "Sannolikhet att nå kravet",
    "criterion": "Kriterium",
    "measured": "Uppmätt",
    "threshold": "Gräns",
    "margin": "Marginal",
    "passed": "Uppfyllt",
    "yes": "ja",
    "no": "nej",
    "APPROVE": "GODKÄNN",
    "REJECT": "AVSLÅ",
    "range": "Intervall",
    "class": "Klass",
    "roi": "ROI",
    "owner": "Ägare (policy)",
    "class_means": "Medelnuvärde per aktör i varje klass",
    "optimism_bias": "Optimismtillägg (i kostnad)",
    "revenue_on_paper": "Intäkt på papperet",
    "role": "Roll",
    "expected_net": "Förväntat netto",
    "prob_net_loser": "P(nettoförlust)",
    "transfer": "Kompensation (+ mottagen)",
    "expected_net_after": "Förväntat netto efter",
    "prob_net_loser_after": "P(nettoförlust) efter",
    "role_loser": "förlorare",
    "role_gainer": "vinnare",
    "role_neutral": "neutral",
    "role_outside": "utanför",
    "of_owner": "ägaren",
    "of_society": "samhället",
    "of_gen_owner": "ägarens",
    "of_gen_society": "samhällets",
    "crit_max_prob_loss": "P({of_gen} nettoförlust)",
    "crit_min_prob_payback": "P({of} återbetald inom {years} år)",
    "crit_max_capital_need": "{of_gen} kapitalbehov, P{quantile}",
    "crit_min_expected_roi": "{of_gen} förväntade ROI (nuvärde / investering)",
    "crit_max_expected_shortfall": "{of_gen} medelnetto i de sämsta {tail} %",
    "crit_min_expected_npv": "{of_gen} förväntade nuvärde",
    "ratio_value": "{value} × investeringen",
    "pp_value": "{value} procentenheter",
    "at_most": "högst {value}",
    "at_least": "minst {value}",
    "sw_none": "inget brytvärde mellan {low} och {high}: {decision} i hela intervallet",
    "sw_above": "{decision} över {value}",
    "sw_below": "{decision} under {value}",
    "sw_binding": "bindande: {names}",
    "class_good": "Bra",
    "class_half_good": "Halvbra",
    "class_bad": "Dåligt",
    "class_very_bad": "Riktigt dåligt",
    "class_loss": "Förlust",
    "class_gain": "Vinst",
    "s_return": ("Samhällets förväntade nettoeffekt över {years} år är {mean} i nuvärde "
                 "(90 % av scenarierna ligger mellan {p05} och {p95}); i genomsnitt "
                 "{roi} gånger investeringen."),
    "s_pays": "Vem betalar: {actors}.",
    "s_gains": "Vem vinner: {actors}.",
    "s_nobody_pays": "Ingen aktör förlorar i medianscenariot.",
    "s_loss_each": "Sannolikhet för nettoförlust över hela perioden: {actors}.",
    "s_repaid": "I medianscenariot har {payer} fått tillbaka sin utgift senast år {year}.",
    "s_not_repaid": ("I medianscenariot får {payer} inte tillbaka sin utgift inom {years} år: "
                     "vinsterna hamnar i andra budgetar."),
    "s_median_of": "median {value}",
    "s_payback": ("Samhällets återbetalningstid: senast år {median} i minst hälften av "
                  "scenarierna, senast år {year} i {p_by}; aldrig inom {years} år i "
                  "{p_never}."),
    "s_payback_rare": ("Samhället får tillbaka investeringen inom {years} år i bara {p_paid} "
                       "av scenarierna."),
    "s_capital": ("Kapitalbehov (investeringspuckel): {payer} behöver {payer_p50} i median "
                  "och {payer_p95} vid 95:e percentilen; samhället som helhet {society_p50} "
                  "och {society_p95}."),
    "s_claim": ("Prövat påstående: senast år {year} är samhällets ackumulerade effekt minst "
                "{multiple} gånger insatsen. Sannolikhet {probability}; avkastningen blir i "
                "median {p50} gånger insatsen (P5–P95 {p05}–{p95})."),
    "s_breakeven": ("Brytpunkt: samhällets förväntade nettoeffekt i nuvärde är noll vid "
                    "{parameter} = {value} (grundantagande {base})."),
    "s_verdict_pass": "Beslut enligt policy: {decision}; alla {n} kriterier uppfyllda.",
    "s_verdict_fail": ("Beslut enligt policy: {decision}; {failed} av {n} kriterier inte "
                       "uppfyllda: {names}."),
    "s_run": "{n} scenarier, slumpfrö {seed}, körd {created}.",
    "cap_society": ("Histogram över samhällets nuvärde i scenarierna, skuggat efter "
                    "scenarioklass; streckad linje vid medelvärdet, heldragen vid noll."),
    "cap_actors": ("Varje aktörs nuvärde: lådan från 25:e till 75:e percentilen, morrhåren "
                   "från P5 till P95, strecket vid medianen. Röd: förlorar i median; grön: "
                   "vinner."),
    "cap_fan": ("Ackumulerad diskonterad nettoeffekt per år: median (linje) och "
                "P5–P95-intervall. En svacka under noll är investeringspuckeln; där linjen "
                "korsar noll är investeringen återbetald."),
    "cap_42": ("Uppställning som i rapportens tabell 4.2: varje aktörs intäkt, kostnad och "
               "netto år 1 vid basfallets värden, och nuvärdet över hela perioden."),
    "cap_43": ("Uppställning som i rapportens tabell 4.3: ackumulerad diskonterad "
               "nettoeffekt per kostnadslag vid slutet av varje år, median med "
               "P5–P95-intervall."),
    "cap_sobol": ("Andel av utfallets varians som förklaras av varje parameter ensam (S1) "
                  "och med samspel (ST), med konfidensintervall."),
    "cap_sobol_heatmap": ("Totalindex för varje parameter (rader) och varje utfall "
                          "(kolumner): vilket antagande som styr vilken aktörs resultat."),
    "cap_tornado": ("Utfallet när en parameter i taget sätts till sitt låga och höga värde, "
                    "övriga i basfall; sorterat efter utslag."),
    "cap_acceptability": "Sannolikheten att avkastningen (ROI) når varje krav.",
    "cap_redistribution": ("Vinnare och förlorare i förväntan, och den kompensation mellan "
                           "aktörerna som skulle hålla varje budgetansvarig skadeslös."),
    "no_model": ("Modellfilen {source} hittades inte, så resultaträkningen i basfall saknas; "
                 "kör `riskcalc report` från katalogen där körningen gjordes, eller ange "
                 "filen med --model."),
    "model_changed": ("Obs: modellfilen {source} har ändrats sedan körningen (SHA-256 skiljer "
                      "sig); resultaträkningen är beräknad från filen som den är nu."),
    "unreadable": "{name} kunde inte läsas och är utelämnad: {error}",
    "absent": "Ingår inte i denna körning: {names}.",
    "generated": "Skriven av riskcalc {version}.",
    "tex_header": "Tabeller från en körning med riskcalc; de kräver \\usepackage{booktabs}.",
    "m_sim": ("Vi simulerade N = {n} scenarier av modellen ”{model}” (fil {source}, "
              "SHA-256 {sha}) över {years} år med riskcalc {version} (Python {python}; "
              "NumPy {numpy}, SciPy {scipy}, pandas {pandas}, SALib {salib}, numba {numba})."),
    "m_commit": "riskcalc kördes från git-incheckningen {commit}.",
    "m_sampling": ("Parametrarna drogs genom oberoende Monte Carlo-urval ur sina angivna "
                   "fördelningar med slumpfrö {seed}; block om {chunk} scenarier, "
                   "slumpströmmar {streams}, så att körningen kan återskapas bit för bit "
                   "med valfritt antal processer."),
    "m_estimators": ("År 1 diskonteras inte och år t diskonteras med (1 + r)^-(t-1). "
                     "Redovisas: stickprovsmedelvärde (med standardfel), empiriska 5:e, 50:e "
                     "och 95:e percentiler, sannolikhet för förlust som andelen scenarier "
                     "med negativt nuvärde, återbetalningstid som första år då samhällets "
                     "ackumulerade diskonterade nettoeffekt är icke-negativ, och "
                     "investeringspuckeln som djupet av den mest negativa ackumulerade "
                     "nettoeffekten. Årsintervallen är {band_method} percentiler."),
    "m_nonfinite": "{count} scenarier med icke-ändliga utfall är utelämnade ur sammanställningen.",
    "m_sobol": ("Sobolindex skattades från N = {n} baspunkter ({evaluations} "
                "modellberäkningar; urval {sampler}, slumpfrö {seed}) med skattarna S1: {s1} och "
                "ST: {st}; {level} konfidensintervall genom {conf}, {resamples} omsamplingar."),
    "m_sobol_plain": ("Sobolindex (första och total ordning, med konfidensintervall) är "
                      "hämtade från sobol.csv i körningens katalog."),
    "m_tornado": ("Tornadodiagrammet sätter en parameter i taget till dess {low}- och "
                  "{high}-kvantil, övriga i basfall."),
    "band_exact": "exakta",
    "band_histogram": "histogrambaserade",
}

# Scenario discovery and convergence (issue 14): kept together so that edits elsewhere merge.
_EN_14: dict[str, str] = {
    "d_heading": "Scenario discovery: where the bad outcomes live",
    "d_box": "Box",
    "d_boxes_table": "PRIM boxes: the restricted inputs",
    "d_lower": "Lower limit",
    "d_upper": "Upper limit",
    "d_coverage": "Coverage",
    "d_density": "Density",
    "d_quasi_p": "Quasi-p-value",
    "d_restricted_inputs": "Restricted inputs",
    "d_position_in_range": "Position within the input's range in the run (0 = lowest, 1 = highest)",
    "d_tradeoff": "PRIM peeling trajectory: coverage against density",
    "d_box_limits": "PRIM boxes: the part of each input's range kept",
    "d_cap_tradeoff": ("Each point is a box on the way from all scenarios to a small, dense "
                       "corner: coverage is the share of the condition's scenarios inside, "
                       "density the share of the box's scenarios that meet it. Ringed: the "
                       "chosen boxes."),
    "d_cap_boxes": ("For each box, the coloured bar is the part of the input's range the box "
                    "keeps; inputs not shown are left unrestricted."),
    "d_tree": "Classification tree: its leaves, densest first",
    "d_rule": "Rule",
    "d_and": "and",
    "d_class_condition": "the outcome is {cls}",
    "d_above": "{name} above {lower}",
    "d_below": "{name} below {upper}",
    "d_between": "{name} between {lower} and {upper}",
    "d_share": "The condition ({condition}) holds in {share} of the {n} scenarios analysed.",
    "d_sentence_first": ("{coverage} of the scenarios where {condition}, and only {others} of "
                         "the others, have {limits} ({density} of the scenarios there meet "
                         "the condition)."),
    "d_sentence_next": ("A further {coverage} of them, and {others} of the others, have "
                        "{limits} ({density} of the scenarios there meet the condition)."),
    "d_no_box": "PRIM found no box where the condition is clearly more frequent than overall.",
    "d_tree_leaf": ("The classification tree agrees: where {rule}, {share} of the {n} "
                    "scenarios meet the condition."),
    "spider": "Spider: each parameter over its percentiles",
    "spider_x": "Percentile of the parameter (the others at base case)",
    "cap_spider": ("Society's NPV as one parameter at a time moves over its percentiles (P5 to "
                   "P95), the others at their base case; the flatter the line, the less the "
                   "parameter matters, and a curve shows where its effect is not linear."),
    "i_heading": "Uncertain inputs",
    "i_family": "Distribution",
    "i_base": "Base case",
    "i_caption": ("Each uncertain parameter's distribution as the model states it (a "
                  "truncated one is marked so), its 5th and 95th percentiles, base case and "
                  "mean."),
    "k_heading": "Net present value per actor and cost kind",
    "k_caption": ("Mean NPV of each actor's real and financial effects and production value "
                  "(below: P5 – P95 over the scenarios); the kinds add up to the actor's NPV "
                  "in every scenario. Transfers between actors count in the transfer's kind."),
    "c_heading": "Convergence: are there enough scenarios?",
    "c_caption": ("Society's running estimates over the run's own scenarios as N grows, with "
                  "their 95 % Monte Carlo intervals; the dashed line is the estimate at the "
                  "run's N."),
    "c_band": "95 % interval",
    "c_n": "Scenarios (N)",
    "c_mean": "Mean",
    "c_p_loss": "Probability of loss",
    "c_p05": "5th percentile (P5)",
    "c_table": "Monte Carlo precision and the N it needs",
    "c_statistic": "Statistic",
    "c_estimate": "Estimate",
    "c_half_width": "95 % interval",
    "c_target": "Target",
    "c_needed": "N needed",
    "c_met": "Met",
    "c_all_met": "With {n} scenarios every precision target below is met.",
    "c_some_unmet": ("With {n} scenarios, {count} of the precision targets below are not yet met; "
                     "the column N needed says how many scenarios would meet them."),
}
_SV_14: dict[str, str] = {
    "d_heading": "Scenarioupptäckt: var de dåliga utfallen finns",
    "d_box": "Box",
    "d_boxes_table": "PRIM-boxar: de begränsade indata",
    "d_lower": "Nedre gräns",
    "d_upper": "Övre gräns",
    "d_coverage": "Täckning",
    "d_density": "Täthet",
    "d_quasi_p": "Kvasi-p-värde",
    "d_restricted_inputs": "Begränsade indata",
    "d_position_in_range": "Läge inom indatats spann i körningen (0 = lägst, 1 = högst)",
    "d_tradeoff": "PRIM:s skalningsbana: täckning mot täthet",
    "d_box_limits": "PRIM-boxar: den del av varje indatas spann som behålls",
    "d_cap_tradeoff": ("Varje punkt är en box på vägen från alla scenarier till ett litet, tätt "
                       "hörn: täckning är andelen av villkorets scenarier som ligger i boxen, "
                       "täthet andelen av boxens scenarier som uppfyller det. Inringade: de "
                       "valda boxarna."),
    "d_cap_boxes": ("För varje box visar den färgade stapeln den del av indatats spann som "
                    "boxen behåller; indata som inte visas är obegränsade."),
    "d_tree": "Klassificeringsträd: dess löv, tätast först",
    "d_rule": "Regel",
    "d_and": "och",
    "d_class_condition": "utfallet är {cls}",
    "d_above": "{name} över {lower}",
    "d_below": "{name} under {upper}",
    "d_between": "{name} mellan {lower} och {upper}",
    "d_share": "Villkoret ({condition}) gäller i {share} av de {n} analyserade scenarierna.",
    "d_sentence_first": ("{coverage} av scenarierna där {condition}, och bara {others} av de "
                         "övriga, har {limits} ({density} av scenarierna där uppfyller "
                         "villkoret)."),
    "d_sentence_next": ("Ytterligare {coverage} av dem, och {others} av de övriga, har {limits} "
                        "({density} av scenarierna där uppfyller villkoret)."),
    "d_no_box": "PRIM fann ingen box där villkoret är tydligt vanligare än totalt.",
    "d_tree_leaf": ("Klassificeringsträdet håller med: där {rule} uppfyller {share} av de {n} "
                    "scenarierna villkoret."),
    "spider": "Spindeldiagram: varje parameter över sina percentiler",
    "spider_x": "Parameterns percentil (övriga i basfallet)",
    "cap_spider": ("Samhällets nuvärde när en parameter i taget rör sig över sina percentiler "
                   "(P5 till P95), övriga i sitt basfall; ju flackare linje, desto mindre "
                   "betyder parametern, och en kurva visar var effekten inte är linjär."),
    "i_heading": "Osäkra indata",
    "i_family": "Fördelning",
    "i_base": "Basfall",
    "i_caption": ("Varje osäker parameters fördelning så som modellen anger den (en "
                  "trunkerad markeras), dess 5:e och 95:e percentil, basfall och medelvärde."),
    "k_heading": "Nuvärde per aktör och kostnadslag",
    "k_caption": ("Medelvärdet av varje aktörs reala och finansiella effekter och "
                  "produktionsvärde (under: P5 – P95 över scenarierna); kostnadslagen summerar "
                  "till aktörens nuvärde i varje scenario. Överföringar mellan aktörer räknas "
                  "i överföringens kostnadslag."),
    "c_heading": "Konvergens: räcker antalet scenarier?",
    "c_caption": ("Samhällets löpande skattningar över körningens egna scenarier när N växer, "
                  "med 95 %-iga Monte Carlo-intervall; den streckade linjen är skattningen vid "
                  "körningens N."),
    "c_band": "95 %-igt intervall",
    "c_n": "Scenarier (N)",
    "c_mean": "Medelvärde",
    "c_p_loss": "Sannolikhet för förlust",
    "c_p05": "5:e percentilen (P5)",
    "c_table": "Monte Carlo-precision och det N som krävs",
    "c_statistic": "Mått",
    "c_estimate": "Skattning",
    "c_half_width": "95 %-igt intervall",
    "c_target": "Mål",
    "c_needed": "N som krävs",
    "c_met": "Uppfyllt",
    "c_all_met": "Med {n} scenarier uppfylls varje precisionsmål nedan.",
    "c_some_unmet": ("Med {n} scenarier är {count} av precisionsmålen nedan ännu inte uppfyllda; "
                     "kolumnen N som krävs anger hur många scenarier som skulle uppfylla dem."),
}
_EN.update(_EN_14)
_SV.update(_SV_14)

# Funds (riskcalc fund) and outcome contracts (social impact bonds): issue 13.
_EN_FUNDS: dict[str, str] = {
    "fund_report_title": "Fund report",
    "fund_section": "The fund: balance, depletion and recovery",
    "fund_balance": "Fund balance at the end of each year",
    "min_balance": "Lowest balance allowed",
    "prob_depleted": "P(depleted by then)",
    "fund_interventions": "Interventions: loans, repayments and risk",
    "intervention": "Intervention",
    "borrower": "Borrower",
    "start_year": "Start year",
    "repayment_rule": "Repayment rule",
    "rule_share": "share of savings",
    "rule_instalments": "instalments",
    "rule_none": "none (budget model)",
    "lent": "Lent",
    "repaid": "Repaid",
    "recovered": "Recovered",
    "cvar_share": "Share of the fund's CVaR",
    "fund_actors": "Each actor's net with loans and repayments",
    "before_loans": "Before loans",
    "loans_repayments": "Loans − repayments",
    "after_loans": "After",
    "fund_depletion": "Year the fund is first depleted",
    "fund_recovery": "Capital lent and recovered by year",
    "never_depleted": "never",
    "fund_criterion_max_prob_depleted": "P(fund depleted within its horizon)",
    "fund_criterion_min_expected_recovery": "Expected share of the capital recovered",
    "fund_criterion_max_cvar_loss": "CVaR of the fund's loss",
    "fund_criterion_min_expected_npv_society": "Expected society NPV of the portfolio",
    "s_fund_depleted": ("The balance goes below the lowest allowed ({floor}) within {years} "
                        "years in {p} of the scenarios."),
    "s_fund_recovery": ("On average {share} of the capital lent comes back within the "
                        "horizon; the balance ends at {balance} (mean; P5 {p05})."),
    "s_fund_society": ("Society's net present value of the portfolio: {mean} (P5 {p05}, "
                       "P95 {p95})."),
    "s_fund_cvar": ("In the worst {tail} of the scenarios the fund loses {cvar} on average; "
                    "{name} carries {share} of it."),
    "s_fund_max_share": ("Board rule broken: an intervention takes more than {share} of the "
                         "capital available."),
    "cap_fund_balance": ("The fund's balance at the end of each year: median, mean and P5–P95 "
                         "band; the red line is the lowest balance allowed."),
    "cap_fund_interventions": ("Mean amounts over the scenarios; each intervention's share "
                               "of the fund's CVaR is its mean loss in the fund's worst "
                               "scenarios (the shares add up to 100 %)."),
    "cap_fund_actors": ("Present values at the fund's discount rate, to fund year 1. The "
                        "borrower receives the loan; the paying actors repay the fund."),
    "m_fund": ("One joint simulation of N = {n} scenarios (seed {seed}) of the fund “{name}” "
               "(file {source}) over {years} years with riskcalc {version}. Parameters shared "
               "by the interventions ({shared}) are drawn once per scenario; every other "
               "parameter is drawn per intervention from streams of its own. Present values "
               "are discounted at the fund's rate ({rate}) to fund year 1; the balance, loans "
               "and repayments are undiscounted."),
    "none_shared": "none",
    # Outcome contracts
    "investor_section": "Outcome contract: the investor and the outcome payer",
    "contract_table": "Outcome contract per scenario",
    "npv_investor": "Investor's NPV",
    "irr_investor": "Investor's IRR",
    "contract_paid": "Outcome payments",
    "contract_multiple": "Payments / capital",
    "npv_payer_after": "Outcome payer's NPV after payments",
    "prob_investor_loss": "P(investor loss)",
    "prob_mismatch": "P(social goal met, payment metric not)",
    "no_irr": "Scenarios without an IRR",
    "s_contract": ("Outcome contract: the investor puts in {capital} and loses money in {p} "
                   "of the scenarios; median IRR {irr}. In {mismatch} of the scenarios the "
                   "social goal is met while the payment metric is not."),
    "cap_contract": ("Per-scenario outcomes of the outcome contract (social impact bond): "
                     "mean, P5 and P95; the IRR over the scenarios that have one."),
}

_SV_FUNDS: dict[str, str] = {
    "fund_report_title": "Fondrapport",
    "fund_section": "Fonden: saldo, tömning och återbetalning",
    "fund_balance": "Fondens saldo vid slutet av varje år",
    "min_balance": "Lägsta tillåtna saldo",
    "prob_depleted": "P(tömd till dess)",
    "fund_interventions": "Insatser: lån, återbetalningar och risk",
    "intervention": "Insats",
    "borrower": "Låntagare",
    "start_year": "Startår",
    "repayment_rule": "Återbetalningsregel",
    "rule_share": "andel av besparingar",
    "rule_instalments": "amorteringar",
    "rule_none": "ingen (budgetmodell)",
    "lent": "Utlånat",
    "repaid": "Återbetalat",
    "recovered": "Återvunnet",
    "cvar_share": "Andel av fondens CVaR",
    "fund_actors": "Varje aktörs netto med lån och återbetalningar",
    "before_loans": "Före lån",
    "loans_repayments": "Lån − återbetalningar",
    "after_loans": "Efter",
    "fund_depletion": "År då fonden först töms",
    "fund_recovery": "Utlånat och återvunnet kapital per år",
    "never_depleted": "aldrig",
    "fund_criterion_max_prob_depleted": "P(fonden töms inom sin horisont)",
    "fund_criterion_min_expected_recovery": "Förväntad andel återvunnet kapital",
    "fund_criterion_max_cvar_loss": "CVaR för fondens förlust",
    "fund_criterion_min_expected_npv_society": "Förväntat nuvärde för samhället av portföljen",
    "s_fund_depleted": ("Saldot går under det lägsta tillåtna ({floor}) inom {years} år i "
                        "{p} av scenarierna."),
    "s_fund_recovery": ("I genomsnitt kommer {share} av det utlånade kapitalet tillbaka inom "
                        "horisonten; saldot slutar på {balance} (medelvärde; P5 {p05})."),
    "s_fund_society": ("Samhällets nuvärde av portföljen: {mean} (P5 {p05}, P95 {p95})."),
    "s_fund_cvar": ("I de sämsta {tail} av scenarierna förlorar fonden i genomsnitt {cvar}; "
                    "{name} står för {share} av det."),
    "s_fund_max_share": ("Styrelsens regel bryts: en insats tar mer än {share} av det "
                         "tillgängliga kapitalet."),
    "cap_fund_balance": ("Fondens saldo vid slutet av varje år: median, medelvärde och "
                         "P5–P95-intervall; den röda linjen är lägsta tillåtna saldo."),
    "cap_fund_interventions": ("Medelbelopp över scenarierna; varje insats andel av fondens "
                               "CVaR är dess medelförlust i fondens sämsta scenarier "
                               "(andelarna summerar till 100 %)."),
    "cap_fund_actors": ("Nuvärden med fondens diskonteringsränta, till fondens år 1. "
                        "Låntagaren får lånet; de betalande aktörerna betalar tillbaka."),
    "m_fund": ("En gemensam simulering av N = {n} scenarier (seed {seed}) av fonden "
               "”{name}” (fil {source}) över {years} år med riskcalc {version}. Parametrar "
               "som insatserna delar ({shared}) dras en gång per scenario; övriga parametrar "
               "dras per insats ur egna slumpströmmar. Nuvärden diskonteras med fondens ränta "
               "({rate}) till fondens år 1; saldo, lån och återbetalningar är odiskonterade."),
    "none_shared": "inga",
    "investor_section": "Utfallskontrakt: investeraren och utfallsbetalaren",
    "contract_table": "Utfallskontrakt per scenario",
    "npv_investor": "Investerarens nuvärde",
    "irr_investor": "Investerarens internränta",
    "contract_paid": "Utfallsbetalningar",
    "contract_multiple": "Betalningar / kapital",
    "npv_payer_after": "Utfallsbetalarens nuvärde efter betalningar",
    "prob_investor_loss": "P(investeraren förlorar)",
    "prob_mismatch": "P(socialt mål nått, betalningsmått inte)",
    "no_irr": "Scenarier utan internränta",
    "s_contract": ("Utfallskontrakt: investeraren satsar {capital} och förlorar pengar i {p} "
                   "av scenarierna; internräntans median {irr}. I {mismatch} av scenarierna "
                   "nås det sociala målet men inte betalningsmåttet."),
    "cap_contract": ("Utfall per scenario för utfallskontraktet (social obligation): "
                     "medelvärde, P5 och P95; internräntan över de scenarier som har en."),
}
_EN.update(_EN_FUNDS)
_SV.update(_SV_FUNDS)

_TABLES = {"en": _EN, "sv": _SV}
#: Languages the report can be written in.
LANGUAGES: tuple[str, ...] = tuple(_TABLES)


class Labels(Mapping[str, str]):
    """The words of one language, and its way of writing numbers.

    A read-only mapping (key → text) that also formats numbers as its language
    does: ``words.money(3.3e8)`` is ``"330.0 MSEK"`` in English and ``"330,0 mnkr"``
    in Swedish.  Everything the report writes goes through one of these.

    Attributes
    ----------
    lang : str
        ``"en"`` or ``"sv"``.
    """

    def __init__(self, lang: str, words: Mapping[str, str]) -> None:
        self.lang = lang
        self._words = dict(words)

    def __getitem__(self, key: str) -> str:
        return self._words[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def extended(self, names: Mapping[str, str]) -> Labels:
        """These words plus `names` (parameter and output names a figure looks up)."""
        return Labels(self.lang, {**self._words, **names})

    def money(self, value: float, currency: str = "SEK", *, digits: int = 1) -> str:
        """An amount: ``"34.0 MSEK"`` / ``"34,0 mnkr"``."""
        return _format.money(value, currency, digits=digits, lang=self.lang)

    def percent(self, share: float, *, digits: int = 1) -> str:
        """A share as percent: ``"12.3 %"`` / ``"12,3 %"``."""
        return _format.percent(share, digits=digits, lang=self.lang)

    def number(self, value: float, *, digits: int = 4) -> str:
        """A plain number: ``"21,000,000"``, ``"0.4125"`` / ``"21 000 000"``, ``"0,4125"``."""
        return _format.number(value, digits=digits, lang=self.lang)

    def fixed(self, value: float, digits: int = 2) -> str:
        """A number with `digits` decimals: ``"0.50"`` / ``"0,50"``."""
        return _format.fixed(value, digits, lang=self.lang)

    def integer(self, value: int) -> str:
        """A count: ``"20,000"`` / ``"20 000"``."""
        return _format.integer(value, lang=self.lang)

    @property
    def not_available(self) -> str:
        """A value that is missing or not finite: ``"n/a"`` / ``"–"``."""
        return _format.not_available(self.lang)


def get_labels(lang: str = "en") -> Labels:
    """The vocabulary of one language (read-only), with its number formats.

    Parameters
    ----------
    lang : {"en", "sv"}

    Returns
    -------
    Labels
        Key → text; a key missing in a language falls back to English.

    Raises
    ------
    ValueError
        For a language that is not offered, naming the ones that are.
    """
    if lang not in _TABLES:
        raise ValueError(f"language {lang!r} is not available; choose one of "
                         f"{', '.join(LANGUAGES)}")
    return Labels(lang, {**_EN, **_TABLES[lang]})


def as_labels(labels: Mapping[str, str] | None) -> Labels:
    """`labels` as :class:`Labels`: English for None, English number formats for a dict."""
    if isinstance(labels, Labels):
        return labels
    return get_labels("en") if labels is None else get_labels("en").extended(labels)


def class_label(name: str, labels: Mapping[str, str]) -> str:
    """The label of a scenario class (``"half-good"``, ``"very_bad"``, ``"loss"`` ...).

    Unknown class names are returned as written.
    """
    key = "class_" + str(name).strip().lower().replace("-", "_").replace(" ", "_")
    return labels.get(key, str(name))
