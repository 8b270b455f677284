use crate::{EventId, Evidence, ReportId, Span};
use serde::{Deserialize, Serialize};
use time::Date;

/// Metadata of one report (one article).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportMeta {
    pub id: ReportId,
    /// Publication date; relative times ("yesterday") resolve against it.
    #[serde(with = "opt_date")]
    pub published: Option<Date>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
}

/// Everything extracted from one report: the `sitrep.extract/1` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub schema: String,
    pub report: ReportMeta,
    pub events: Vec<Event>,
    /// Figures that sum other events ("at least nine people" over two strikes), kept, never added.
    pub totals: Vec<Total>,
    pub quotes: Vec<Quote>,
    pub entities: Vec<Entity>,
    pub warnings: Vec<Warning>,
}

/// The first level of the ontology: ACLED's event types plus diplomacy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Battles,
    ExplosionsRemoteViolence,
    ViolenceAgainstCivilians,
    Protests,
    Riots,
    StrategicDevelopments,
    Diplomacy,
}

impl Family {
    /// Every family, in ontology order.
    pub const ALL: [Family; 7] = [
        Family::Battles,
        Family::ExplosionsRemoteViolence,
        Family::ViolenceAgainstCivilians,
        Family::Protests,
        Family::Riots,
        Family::StrategicDevelopments,
        Family::Diplomacy,
    ];

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Battles => "battles",
            Family::ExplosionsRemoteViolence => "explosions_remote_violence",
            Family::ViolenceAgainstCivilians => "violence_against_civilians",
            Family::Protests => "protests",
            Family::Riots => "riots",
            Family::StrategicDevelopments => "strategic_developments",
            Family::Diplomacy => "diplomacy",
        }
    }

    /// ACLED's wording of the event type, for ACLED-style exports.
    pub fn acled_label(self) -> &'static str {
        match self {
            Family::Battles => "Battles",
            Family::ExplosionsRemoteViolence => "Explosions/Remote violence",
            Family::ViolenceAgainstCivilians => "Violence against civilians",
            Family::Protests => "Protests",
            Family::Riots => "Riots",
            Family::StrategicDevelopments => "Strategic developments",
            Family::Diplomacy => "Diplomacy",
        }
    }

    /// True for the families that involve physical violence.
    pub fn is_violent(self) -> bool {
        matches!(
            self,
            Family::Battles
                | Family::ExplosionsRemoteViolence
                | Family::ViolenceAgainstCivilians
                | Family::Riots
        )
    }

    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

macro_rules! event_types {
    ($($variant:ident => $name:literal, $label:literal, [$($fam:ident),+];)+) => {
        /// The second level of the ontology. Which families a type may sit under is fixed by
        /// [`EventType::families`]; [`EventKind::new`] refuses any other pairing.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EventType { $($variant,)+ }

        impl EventType {
            /// Every type, in ontology order.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)+];

            /// The snake_case name used in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$variant => $name,)+ }
            }

            /// ACLED's (or, for diplomacy, our) human wording, for exports.
            pub fn label(self) -> &'static str {
                match self { $(EventType::$variant => $label,)+ }
            }

            /// The families this type may belong to.
            pub fn families(self) -> &'static [Family] {
                match self { $(EventType::$variant => &[$(Family::$fam),+],)+ }
            }
        }
    };
}

event_types! {
    ArmedClash => "armed_clash", "Armed clash", [Battles];
    GovernmentRegainsTerritory => "government_regains_territory", "Government regains territory", [Battles];
    NonStateActorOvertakesTerritory => "non_state_actor_overtakes_territory", "Non-state actor overtakes territory", [Battles];
    ChemicalWeapon => "chemical_weapon", "Chemical weapon", [ExplosionsRemoteViolence];
    AirDroneStrike => "air_drone_strike", "Air/drone strike", [ExplosionsRemoteViolence];
    SuicideBomb => "suicide_bomb", "Suicide bomb", [ExplosionsRemoteViolence];
    ShellingArtilleryMissileAttack => "shelling_artillery_missile_attack", "Shelling/artillery/missile attack", [ExplosionsRemoteViolence];
    RemoteExplosiveLandmineIed => "remote_explosive_landmine_ied", "Remote explosive/landmine/IED", [ExplosionsRemoteViolence];
    Grenade => "grenade", "Grenade", [ExplosionsRemoteViolence];
    SexualViolence => "sexual_violence", "Sexual violence", [ViolenceAgainstCivilians];
    Attack => "attack", "Attack", [ViolenceAgainstCivilians];
    AbductionForcedDisappearance => "abduction_forced_disappearance", "Abduction/forced disappearance", [ViolenceAgainstCivilians];
    PeacefulProtest => "peaceful_protest", "Peaceful protest", [Protests];
    ProtestWithIntervention => "protest_with_intervention", "Protest with intervention", [Protests];
    ExcessiveForceAgainstProtesters => "excessive_force_against_protesters", "Excessive force against protesters", [Protests];
    ViolentDemonstration => "violent_demonstration", "Violent demonstration", [Riots];
    MobViolence => "mob_violence", "Mob violence", [Riots];
    Agreement => "agreement", "Agreement", [StrategicDevelopments, Diplomacy];
    Arrests => "arrests", "Arrests", [StrategicDevelopments];
    ChangeToGroupActivity => "change_to_group_activity", "Change to group/activity", [StrategicDevelopments];
    DisruptedWeaponsUse => "disrupted_weapons_use", "Disrupted weapons use", [StrategicDevelopments];
    HeadquartersOrBaseEstablished => "headquarters_or_base_established", "Headquarters or base established", [StrategicDevelopments];
    LootingPropertyDestruction => "looting_property_destruction", "Looting/property destruction", [StrategicDevelopments];
    NonViolentTransferOfTerritory => "non_violent_transfer_of_territory", "Non-violent transfer of territory", [StrategicDevelopments];
    Other => "other", "Other", [StrategicDevelopments];
    Meeting => "meeting", "Meeting", [Diplomacy];
    Proposal => "proposal", "Proposal", [Diplomacy];
    Rejection => "rejection", "Rejection", [Diplomacy];
    Demand => "demand", "Demand", [Diplomacy];
    Threat => "threat", "Threat", [Diplomacy];
    Accusation => "accusation", "Accusation", [Diplomacy];
    MediationOffer => "mediation_offer", "Mediation offer", [Diplomacy];
    Statement => "statement", "Statement", [Diplomacy];
    Sanction => "sanction", "Sanction", [Diplomacy];
    Aid => "aid", "Aid", [Diplomacy];
}

impl EventType {
    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.iter().copied().find(|t| t.as_str() == s)
    }
}

/// A family and a type that belongs to it. The only way to build one checks the pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventKind {
    family: Family,
    kind: EventType,
}

impl EventKind {
    /// The kind, or `None` when `kind` does not belong to `family`.
    pub fn new(family: Family, kind: EventType) -> Option<EventKind> {
        kind.families()
            .contains(&family)
            .then_some(EventKind { family, kind })
    }

    /// A type under its first (usual) family.
    pub fn of(kind: EventType) -> EventKind {
        EventKind {
            family: kind.families()[0],
            kind,
        }
    }

    pub fn family(self) -> Family {
        self.family
    }

    pub fn event_type(self) -> EventType {
        self.kind
    }

    /// The closest CAMEO 1.1b3 code (the summary table of docs/ontology.md), `None` where CAMEO
    /// has no counterpart. A diplomatic agreement is most often told as a commitment ("agreed to
    /// a ceasefire", CAMEO 03x); one coded as a strategic development is signed (057).
    pub fn cameo(self) -> Option<&'static str> {
        use EventType::*;
        Some(match self.kind {
            ArmedClash | GovernmentRegainsTerritory | NonStateActorOvertakesTerritory => "190",
            ChemicalWeapon => "2041",
            AirDroneStrike => "195",
            SuicideBomb => "1831",
            ShellingArtilleryMissileAttack => "194",
            RemoteExplosiveLandmineIed | Grenade => "183",
            SexualViolence => "1821",
            Attack => "180",
            AbductionForcedDisappearance => "181",
            PeacefulProtest | ProtestWithIntervention => "141",
            ExcessiveForceAgainstProtesters => "175",
            ViolentDemonstration => "145",
            MobViolence => "182",
            Agreement if self.family == Family::Diplomacy => "030",
            Agreement => "057",
            Arrests => "173",
            DisruptedWeaponsUse => "1711",
            HeadquartersOrBaseEstablished => "154",
            LootingPropertyDestruction => "171",
            NonViolentTransferOfTerritory => "0874",
            ChangeToGroupActivity | Other => return None,
            Meeting => "040",
            Proposal => "030",
            Rejection => "120",
            Demand => "100",
            Threat => "130",
            Accusation => "112",
            MediationOffer => "039",
            Statement => "010",
            Sanction => "163",
            Aid => "070",
        })
    }

    /// The closest PLOVER event category, in the 2021 names (ASSAULT, REQUEST, ACCUSE), `None`
    /// where PLOVER has none (statements, changes to a group, other developments).
    pub fn plover(self) -> Option<&'static str> {
        use EventType::*;
        Some(match self.kind {
            ArmedClash | GovernmentRegainsTerritory | NonStateActorOvertakesTerritory => "ASSAULT",
            ChemicalWeapon | AirDroneStrike | SuicideBomb | ShellingArtilleryMissileAttack => {
                "ASSAULT"
            }
            RemoteExplosiveLandmineIed | Grenade | SexualViolence | Attack => "ASSAULT",
            AbductionForcedDisappearance | ExcessiveForceAgainstProtesters | MobViolence => {
                "ASSAULT"
            }
            PeacefulProtest | ProtestWithIntervention | ViolentDemonstration => "PROTEST",
            Agreement if self.family == Family::Diplomacy => "AGREE",
            Agreement => "SUPPORT",
            Arrests | DisruptedWeaponsUse | LootingPropertyDestruction => "COERCE",
            HeadquartersOrBaseEstablished => "MOBILIZE",
            NonViolentTransferOfTerritory => "RETREAT",
            ChangeToGroupActivity | Other | Statement => return None,
            Meeting => "CONSULT",
            Proposal | MediationOffer => "AGREE",
            Rejection => "REJECT",
            Demand => "REQUEST",
            Threat => "THREATEN",
            Accusation => "ACCUSE",
            Sanction => "SANCTION",
            Aid => "AID",
        })
    }
}

/// The part an actor plays in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Initiator,
    Target,
    Participant,
}

/// What sort of actor a name denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    State,
    Military,
    ArmedGroup,
    Organisation,
    GovernmentBody,
    Civilians,
    Person,
}

impl ActorKind {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::Military => "military",
            ActorKind::ArmedGroup => "armed_group",
            ActorKind::Organisation => "organisation",
            ActorKind::GovernmentBody => "government_body",
            ActorKind::Civilians => "civilians",
            ActorKind::Person => "person",
        }
    }
}

/// An actor taking part in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    pub name: String,
    pub kind: ActorKind,
    /// ISO 3166-1 alpha-2 code where the actor belongs to a state.
    pub country: Option<String>,
    pub role: Role,
    pub mention: Option<Span>,
    /// ACLED's actor type (`inter`): 1 state forces, 2 rebel groups, 3 political militias,
    /// 4 identity militias, 5 rioters, 6 protesters, 7 civilians, 8 external or other forces.
    /// Decided by a learned model; absent where none decided it and in older documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inter: Option<u8>,
}

/// How finely a location is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoPrecision {
    /// A district or neighbourhood of a city.
    District,
    /// A town, city or village.
    Settlement,
    /// A first-level region.
    Region,
    Country,
}

impl GeoPrecision {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            GeoPrecision::District => "district",
            GeoPrecision::Settlement => "settlement",
            GeoPrecision::Region => "region",
            GeoPrecision::Country => "country",
        }
    }

    /// ACLED's geo_precision code: 1 exact place, 2 near / part of a region, 3 a larger region.
    pub fn acled_code(self) -> u8 {
        match self {
            GeoPrecision::District | GeoPrecision::Settlement => 1,
            GeoPrecision::Region => 2,
            GeoPrecision::Country => 3,
        }
    }
}

/// A place an event happened at, resolved against the gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// The gazetteer's name of the place.
    pub name: String,
    /// The text as written in the report.
    pub mention: String,
    pub span: Span,
    pub geonames_id: Option<u32>,
    pub lat: f64,
    pub lon: f64,
    pub country: Option<String>,
    pub admin1: Option<String>,
    /// GeoNames feature code (PPL, PPLC, PPLX, ADM1, ADM2, PCLI, CONT).
    pub feature: String,
    pub precision: GeoPrecision,
    /// What the place is (absent in documents written before the field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<PlaceKind>,
}

/// How finely a time is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimePrecision {
    Day,
    Week,
    Month,
    Year,
    /// No time expression: the window ends at publication.
    Unknown,
}

/// When an event happened: an inclusive date range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    #[serde(with = "opt_date")]
    pub start: Option<Date>,
    #[serde(with = "opt_date")]
    pub end: Option<Date>,
    pub precision: TimePrecision,
    /// The expression it was read from ("overnight", "on Tuesday"), if any.
    pub mention: Option<String>,
    pub span: Option<Span>,
}

/// How a number relates to the truth it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Exact,
    AtLeast,
    AtMost,
    Approximately,
}

/// A reported count: "at least 16" is `Count { value: 16, qualifier: AtLeast }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Count {
    pub value: u64,
    pub qualifier: Qualifier,
}

impl Count {
    pub fn exact(value: u64) -> Count {
        Count {
            value,
            qualifier: Qualifier::Exact,
        }
    }

    pub fn at_least(self) -> bool {
        self.qualifier == Qualifier::AtLeast
    }
}

#[derive(Serialize, Deserialize)]
struct CountRepr {
    value: u64,
    at_least: bool,
    qualifier: Qualifier,
}

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CountRepr {
            value: self.value,
            at_least: self.at_least(),
            qualifier: self.qualifier,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = CountRepr::deserialize(d)?;
        Ok(Count {
            value: r.value,
            qualifier: r.qualifier,
        })
    }
}

/// The figures of one event. When sources disagree, the lowest (ACLED's conservative rule);
/// an upward revision by the same source replaces the earlier figure. Every figure, with its
/// source, is in [`Event::figures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Casualties {
    pub killed: Option<Count>,
    pub injured: Option<Count>,
}

impl Casualties {
    pub fn is_empty(&self) -> bool {
        self.killed.is_none() && self.injured.is_none()
    }
}

/// Killed or injured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CasualtyKind {
    Killed,
    Injured,
}

/// One figure as one source gave it; an event keeps every figure, agreeing or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub kind: CasualtyKind,
    pub count: Count,
    pub attributed_to: Vec<Source>,
    pub evidence: Evidence,
}

/// Who gave a figure or said a quote.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub title: Option<String>,
    pub affiliation: Option<String>,
}

/// What one report says happened once, at one place or set of places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub family: Family,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The larger event this one is a part of; its figures are included in that event's.
    pub part_of: Option<EventId>,
    pub actors: Vec<EventActor>,
    pub locations: Vec<Location>,
    pub when: When,
    pub weapons: Vec<String>,
    pub casualties: Casualties,
    /// Every casualty figure the report gives for this event, with its source.
    pub figures: Vec<Figure>,
    pub attributed_to: Vec<Source>,
    pub evidence: Vec<Evidence>,
    /// The closest CAMEO code of the family and type ([`EventKind::cameo`]); null where CAMEO
    /// has none.
    #[serde(default)]
    pub cameo: Option<String>,
    /// The closest PLOVER category ([`EventKind::plover`]); null where PLOVER has none.
    #[serde(default)]
    pub plover: Option<String>,
    /// How the report tells the event: as having happened (asserted, the default, left out of
    /// the JSON) or as planned, conditional, hypothetical, denied or habitual. Only asserted
    /// events are incidents.
    #[serde(default, skip_serializing_if = "Modality::is_asserted")]
    pub modality: Modality,
}

/// Whether a report asserts that an event happened, or tells it otherwise: "will strike"
/// (future), "would defend it if attacked" (conditional), "could attack" (hypothetical), "denied
/// attacking" (denied), "routinely shells" (habitual).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    #[default]
    Asserted,
    Future,
    Conditional,
    Hypothetical,
    Denied,
    Habitual,
}

impl Modality {
    pub fn is_asserted(&self) -> bool {
        *self == Modality::Asserted
    }

    /// The name in the JSON: "asserted", "future", ….
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Asserted => "asserted",
            Modality::Future => "future",
            Modality::Conditional => "conditional",
            Modality::Hypothetical => "hypothetical",
            Modality::Denied => "denied",
            Modality::Habitual => "habitual",
        }
    }

    /// The modality named `s` ("future"), if any.
    pub fn parse(s: &str) -> Option<Modality> {
        [
            Modality::Asserted,
            Modality::Future,
            Modality::Conditional,
            Modality::Hypothetical,
            Modality::Denied,
            Modality::Habitual,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// A figure that sums other events ("at least nine people were killed" across two strikes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    pub kind: CasualtyKind,
    pub count: Count,
    /// The root events whose figures it adds up.
    pub covers: Vec<EventId>,
    /// True when the covered events' figures add up to this one (exactly, or within its bound).
    pub consistent: bool,
    pub evidence: Evidence,
}

/// A direct quotation and who said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The quoted words, without the quotation marks.
    pub text: String,
    pub start: u32,
    pub end: u32,
    pub speaker: Option<Source>,
    /// Where the speaker was named for this quote (the name, a pronoun or "the spokesperson").
    pub speaker_mention: Option<Span>,
    /// True when this piece continues the previous quote into a new paragraph.
    #[serde(default)]
    pub continues: bool,
    /// Reported speech without quotation marks ("the ministry said that …"): `text` is the
    /// reported content, not the speaker's words. Absent (false) for a quotation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub indirect: bool,
}

/// What an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Person,
    /// A state, government, military, armed group or organisation acting as such.
    Actor,
    Place,
    /// A quoted name or term ("coalition of the willing"): not a quotation.
    Term,
}

/// A thing the report names, with every mention of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    pub name: String,
    /// ISO country code for actors and places, where one applies.
    pub country: Option<String>,
    pub geonames_id: Option<u32>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub title: Option<String>,
    pub mentions: Vec<Span>,
    /// For places: how each mention (same order as `mentions`) uses the name. Empty for other
    /// kinds, and in documents written before the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<PlaceRole>,
    /// For places resolved to the gazetteer: what the place is. Absent for other kinds, for
    /// places not resolved, and in documents written before the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_kind: Option<PlaceKind>,
    /// For places the named-entity tagger recognised: the sort of name it read (a political
    /// entity, a location, a facility), resolved or not. Absent for other kinds and in
    /// documents written before the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kind: Option<NameKind>,
}

/// The sort of place name the named-entity tagger read (OntoNotes' GPE, LOC and FAC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// A geopolitical entity: country, region, city.
    Gpe,
    /// A location that is no GPE: continent, sea, river, mountain, region without a government.
    Loc,
    /// A facility: building, airport, road, bridge, camp.
    Fac,
}

/// What a place is: the level of the gazetteer record it was resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// A country or territory (GeoNames PCLI).
    Country,
    /// A first-level division: state, province, oblast, governorate (ADM1).
    Admin1,
    /// A second-level division: county, district, raion (ADM2).
    Admin2,
    /// A populated place: city, town, village, or a section of one (PPL, PPLC, PPLX).
    Settlement,
    /// Anything else: a continent, sea, river, mountain, airport, camp.
    Feature,
}

/// How a place mention uses the place's name (the geoparsing literature's literal and
/// associative toponyms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceRole {
    /// The place itself: where something is or happens ("fighting in Kyiv").
    Literal,
    /// The name stands for the state, government or people of the place ("Moscow said",
    /// "talks between Kyiv and Washington").
    Metonymic,
}

/// Something the reader of an extraction should know was not read cleanly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
    pub span: Option<Span>,
}

/// Machine-readable warning kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The input was not valid UTF-8 and was decoded lossily.
    InvalidUtf8,
    /// The input was truncated to the size limit.
    Truncated,
    /// No publication date: relative times could not be resolved.
    NoPublicationDate,
    /// The input held no readable text.
    EmptyText,
    /// The input looks like binary data.
    Binary,
    /// A breakdown does not add up to the total it belongs to.
    InconsistentTotal,
    /// Sources disagree on a figure for the same event.
    ConflictingFigures,
    /// A quotation mark was never closed.
    UnclosedQuote,
    /// The report has more event mentions than one report can sensibly hold; the rest were not read.
    ExtractionCapped,
    /// A publication date outside the years a news report can carry (1800 to 2200) was set
    /// aside: relative times are left unresolved.
    DateOutOfRange,
    /// A stage of extraction failed on this report; what the earlier stages read is kept.
    ExtractionFailed,
    /// Extraction ran past its time budget; the stages after the budget ran out were skipped.
    TimeBudget,
}

/// serde support for `Option<Date>` as `YYYY-MM-DD`.
pub mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::{format_description::BorrowedFormatItem, macros::format_description, Date};

    const FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&d.format(FORMAT).map_err(serde::ser::Error::custom)?),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            let day = s.get(..10).unwrap_or(&s);
            Date::parse(day, FORMAT).map_err(serde::de::Error::custom)
        })
        .transpose()
    }

    /// Format a date as `YYYY-MM-DD`.
    pub fn format(d: Date) -> String {
        d.format(FORMAT).expect("a calendar date always formats")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_refuses_a_type_outside_its_family() {
        assert!(EventKind::new(Family::Diplomacy, EventType::AirDroneStrike).is_none());
        assert!(EventKind::new(Family::Diplomacy, EventType::Agreement).is_some());
        assert!(EventKind::new(Family::StrategicDevelopments, EventType::Agreement).is_some());
    }

    #[test]
    fn modality_defaults_to_asserted_and_round_trips() {
        assert_eq!(Modality::default(), Modality::Asserted);
        assert_eq!(
            serde_json::to_string(&Modality::Denied).unwrap(),
            r#""denied""#
        );
        for m in [
            "asserted",
            "future",
            "conditional",
            "hypothetical",
            "denied",
            "habitual",
        ] {
            assert_eq!(Modality::parse(m).map(Modality::as_str), Some(m));
        }
        assert_eq!(Modality::parse("maybe"), None);
    }

    #[test]
    fn count_serialises_with_at_least_flag() {
        let c = Count {
            value: 16,
            qualifier: Qualifier::AtLeast,
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"value":16,"at_least":true,"qualifier":"at_least"}"#
        );
        assert_eq!(serde_json::from_str::<Count>(&json).unwrap(), c);
    }

    #[test]
    fn cameo_codes_and_plover_categories_agree_by_root() {
        // The PLOVER category of each CAMEO root (CAMEO2PLOVER), for the roots sitrep uses.
        let by_root = |root: &str| match root {
            "01" => None,
            "03" => Some("AGREE"),
            "04" => Some("CONSULT"),
            "05" => Some("SUPPORT"),
            "07" => Some("AID"),
            "08" => Some("RETREAT"),
            "10" => Some("REQUEST"),
            "11" => Some("ACCUSE"),
            "12" => Some("REJECT"),
            "13" => Some("THREATEN"),
            "14" => Some("PROTEST"),
            "15" => Some("MOBILIZE"),
            "16" => Some("SANCTION"),
            "17" => Some("COERCE"),
            "18" | "19" | "20" => Some("ASSAULT"),
            r => panic!("unexpected CAMEO root {r}"),
        };
        let mut seen = 0;
        for t in EventType::ALL {
            for f in t.families() {
                let k = EventKind::new(*f, *t).unwrap();
                match k.cameo() {
                    Some(c) => {
                        assert!(c.len() >= 3 && c.bytes().all(|b| b.is_ascii_digit()), "{c}");
                        // Force on protesters is coercion in CAMEO (175) but an assault in PLOVER.
                        if *t != EventType::ExcessiveForceAgainstProtesters {
                            assert_eq!(k.plover(), by_root(&c[..2]), "{t:?} {c}");
                        }
                        seen += 1;
                    }
                    None => assert!(k.plover().is_none(), "{t:?}"),
                }
            }
        }
        assert!(seen >= 30);
        let dip = EventKind::new(Family::Diplomacy, EventType::Agreement).unwrap();
        assert_eq!((dip.cameo(), dip.plover()), (Some("030"), Some("AGREE")));
        let sd = EventKind::new(Family::StrategicDevelopments, EventType::Agreement).unwrap();
        assert_eq!((sd.cameo(), sd.plover()), (Some("057"), Some("SUPPORT")));
    }

    #[test]
    fn every_type_name_parses_back() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        for f in Family::ALL {
            assert_eq!(Family::parse(f.as_str()), Some(f));
        }
    }
}
