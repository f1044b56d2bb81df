// Swedish first, English available. t(key, vars) looks up the chosen language.
"use strict";
const STRINGS = {
  sv: {
    skip: "Hoppa till innehållet", title: "Länshubben", signIn: "Logga in", signOut: "Logga ut",
    personaHelp: "Demonätverket: välj organisation och roll.", organisation: "Organisation",
    role: "Roll", pasteToken: "Eller klistra in en token", useToken: "Använd token",
    board: "Tavla", tasks: "Mina uppgifter", audit: "Granskning",
    online: "Ansluten – uppdateras direkt", offline: "Frånkopplad – återansluter…",
    noCases: "Inga ärenden", openedAt: "Öppnat", lastSeen: "Senast sedd", withheldName: "Namn undanhållet",
    back: "Tillbaka till tavlan", detail: "Ärende", fields: "Uppgifter du får se",
    withheldTitle: "Uppgifter som inte delas med dig", actions: "Åtgärder", submit: "Skicka",
    choose: "Välj åtgärd", saved: "Sparat.", due: "Senast", overdue: "Försenad",
    acknowledge: "Kvittera", complete: "Klarmarkera", noTasks: "Inga öppna uppgifter",
    filter: "Filtrera", verify: "Kontrollera kedjan", exportCsv: "Exportera CSV",
    accessReport: "Åtkomstrapport för barn", childId: "Barnets id", kind: "Typ", from: "Från", to: "Till",
    chainOk: "Kedjan är hel: {checked} rader kontrollerade.", chainBroken: "Kedjan är bruten vid rad {seq}: {problem}",
    when: "När", who: "Vem", what: "Vad", basis: "Rättslig grund", flags: "Flaggor", accesses: "Åtkomster",
    notFound: "Ärendet finns inte eller får inte visas.", sightings: "Observationer", none: "–",
    eventArrived: "Ny händelse: {type}", status: "Status",
    ABSENT: "Avviken", REPORTED_MISSING: "Anmäld försvunnen", FOUND: "Återfunnen", FOLLOW_UP: "Uppföljning", CLOSED: "Avslutad",
    CASE_STATUS: "Ärendestatus", IDENTITY: "Identitetsuppgifter", DESCRIPTION: "Signalement", CONTACTS: "Kontaktuppgifter",
    PLACEMENT: "Placeringsuppgifter", ASYLUM: "Asyluppgifter", HEALTH: "Hälsouppgifter", RISK: "Riskbedömning",
    SIGHTINGS: "Observationer", RETURN_INTERVIEW: "Återkomstsamtal",
    MUNICIPALITY: "kommuner", RESIDENCE: "boenden", POLICE: "polisen", MIGRATION_AGENCY: "Migrationsverket",
    GUARDIANSHIP: "gode män", NGO: "ideella organisationer", COUNTY_BOARD: "länsstyrelsen",
    withheldSentence: "{category} delas inte med {kind}.", withheldConsent: "{category} delas inte med {kind} utan samtycke.",
    reportAbsent: "Anmäl avvikelse", reportMissingToPolice: "Polisanmäl försvinnande", registerAvviken: "Registrera avviken",
    addSighting: "Rapportera observation", reportFound: "Anmäl återfunnen", recordReturnInterview: "Registrera återkomstsamtal",
    closeCase: "Avsluta ärende", lastSeenAt: "Senast sedd (tid)", lastSeenPlace: "Senast sedd (plats)",
    circumstances: "Omständigheter", policeReportNumber: "Polisens diarienummer", seenAt: "Sedd (tid)",
    place: "Plats", note: "Anteckning", foundAt: "Återfunnen (tid)", summary: "Sammanfattning", outcome: "Utfall",
    RETURNED: "Återvänt", FOUND_ELSEWHERE: "Återfunnen på annan plats", LEFT_SWEDEN: "Lämnat Sverige",
    TURNED_18: "Fyllt 18", UNRESOLVED: "Olöst", required: "Fyll i {field}.",
    givenName: "Förnamn", familyName: "Efternamn", birthDate: "Födelsedatum", nationality: "Medborgarskap",
    clothing: "Klädsel", heightCm: "Längd (cm)", health: "Hälsa", placementAddress: "Placeringsadress",
    policeReport: "Polisanmälan", foundPlace: "Återfunnen (plats)", returnInterview: "Återkomstsamtal",
    child: "Barn", reportChildAbsent: "Anmäl ett barn som avviket", childPick: "Barn",
    entries: "{n} poster (de 100 senaste visas)",
  },
  en: {
    skip: "Skip to content", title: "County hub", signIn: "Sign in", signOut: "Sign out",
    personaHelp: "Demo network: choose an organisation and a role.", organisation: "Organisation",
    role: "Role", pasteToken: "Or paste a token", useToken: "Use token",
    board: "Board", tasks: "My tasks", audit: "Audit",
    online: "Connected – live", offline: "Disconnected – reconnecting…",
    noCases: "No cases", openedAt: "Opened", lastSeen: "Last seen", withheldName: "Name withheld",
    back: "Back to the board", detail: "Case", fields: "What you may see",
    withheldTitle: "What is not shared with you", actions: "Actions", submit: "Send",
    choose: "Choose an action", saved: "Saved.", due: "Due", overdue: "Overdue",
    acknowledge: "Acknowledge", complete: "Complete", noTasks: "No open tasks",
    filter: "Filter", verify: "Verify the chain", exportCsv: "Export CSV",
    accessReport: "Access report for a child", childId: "Child id", kind: "Kind", from: "From", to: "To",
    chainOk: "The chain is whole: {checked} rows checked.", chainBroken: "The chain breaks at row {seq}: {problem}",
    when: "When", who: "Who", what: "What", basis: "Legal basis", flags: "Flags", accesses: "Accesses",
    notFound: "No such case, or not one you may see.", sightings: "Sightings", none: "–",
    eventArrived: "New event: {type}", status: "Status",
    ABSENT: "Absent", REPORTED_MISSING: "Reported missing", FOUND: "Found", FOLLOW_UP: "Follow-up", CLOSED: "Closed",
    CASE_STATUS: "Case status", IDENTITY: "Identity", DESCRIPTION: "Description", CONTACTS: "Contacts",
    PLACEMENT: "Placement", ASYLUM: "Asylum", HEALTH: "Health", RISK: "Risk assessment",
    SIGHTINGS: "Sightings", RETURN_INTERVIEW: "Return interview",
    MUNICIPALITY: "municipalities", RESIDENCE: "residences", POLICE: "the police", MIGRATION_AGENCY: "the Migration Agency",
    GUARDIANSHIP: "guardians", NGO: "NGOs", COUNTY_BOARD: "the county board",
    withheldSentence: "{category} is not shared with {kind}.", withheldConsent: "{category} is not shared with {kind} without consent.",
    reportAbsent: "Report absent", reportMissingToPolice: "Report missing to the police", registerAvviken: "Register as avviken",
    addSighting: "Report a sighting", reportFound: "Report found", recordReturnInterview: "Record the return interview",
    closeCase: "Close the case", lastSeenAt: "Last seen (time)", lastSeenPlace: "Last seen (place)",
    circumstances: "Circumstances", policeReportNumber: "Police report number", seenAt: "Seen (time)",
    place: "Place", note: "Note", foundAt: "Found (time)", summary: "Summary", outcome: "Outcome",
    RETURNED: "Returned", FOUND_ELSEWHERE: "Found elsewhere", LEFT_SWEDEN: "Left Sweden",
    TURNED_18: "Turned 18", UNRESOLVED: "Unresolved", required: "Fill in {field}.",
    givenName: "Given name", familyName: "Family name", birthDate: "Date of birth", nationality: "Nationality",
    clothing: "Clothing", heightCm: "Height (cm)", health: "Health", placementAddress: "Placement address",
    policeReport: "Police report", foundPlace: "Found (place)", returnInterview: "Return interview",
    child: "Child", reportChildAbsent: "Report a child absent", childPick: "Child",
    entries: "{n} entries (the latest 100 shown)",
  },
};
let LANG = localStorage.getItem("hub.lang") || "sv";
function t(key, vars = {}) {
  const text = (STRINGS[LANG] && STRINGS[LANG][key]) || STRINGS.sv[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? vars[name] : ""));
}
function setLang(lang) {
  LANG = lang;
  localStorage.setItem("hub.lang", lang);
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.querySelectorAll("[data-lang]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
}
