package uk.nhs.registry.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionLengthAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.QueryBuilder;
import org.elasticsearch.plugin.analysis.AnalysisMode;
import org.elasticsearch.plugin.analysis.CharFilterFactory;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The components in analysis chains like the ones the registry's index uses, checked on Lucene
 * alone (the same classes Elasticsearch runs; the real node is checked by hand, see README).
 */
class AnalysisChainTest {

    static final List<String> RULES = List.of(
        "epr, electronic patient record, electronic health record, ehr",
        "aande, ae, emergency department, accident and emergency",
        "dna, did not attend, missed appointment, no show",
        "cafe => coffee shop");

    static final CharFilterFactory AMPERSAND = new AmpersandCharFilterFactory();
    static final TokenFilterFactory FOLDING = new AsciiFoldingTokenFilterFactory(TestSettings.defaults(AsciiFoldingTokenFilterFactory.Settings.class));
    static final TokenFilterFactory POSSESSIVE = new EnglishPossessiveTokenFilterFactory();
    static final TokenFilterFactory KSTEM = stemmer("kstem");
    /** The recommended stemmer. */
    static final TokenFilterFactory STEMMER = stemmer("kstem_minimal");

    static TokenFilterFactory stemmer(String algorithm) {
        return new EnglishStemmerTokenFilterFactory(TestSettings.of(EnglishStemmerTokenFilterFactory.Settings.class, Map.of("algorithm", algorithm)));
    }

    static SynonymGraphTokenFilterFactory synonyms(List<String> rules, Map<String, Object> more) {
        Map<String, Object> values = new java.util.HashMap<>(more);
        values.put("synonyms", rules);
        return new SynonymGraphTokenFilterFactory(TestSettings.of(SynonymGraphTokenFilterFactory.Settings.class, values));
    }

    static final UnaryOperator<TokenStream> LOWERCASE = LowerCaseFilter::new;
    static final UnaryOperator<TokenStream> STOP = ts -> new StopFilter(ts, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);

    /** standard tokenizer, the given char filter (or none) and token filters in order. */
    @SafeVarargs
    static Analyzer chain(CharFilterFactory charFilter, UnaryOperator<TokenStream>... filters) {
        return new Analyzer() {
            @Override
            protected Reader initReader(String fieldName, Reader reader) {
                return charFilter == null ? reader : charFilter.create(reader);
            }

            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new StandardTokenizer();
                TokenStream stream = tokenizer;
                for (UnaryOperator<TokenStream> f : filters) {
                    stream = f.apply(stream);
                }
                return new TokenStreamComponents(tokenizer, stream);
            }
        };
    }

    static UnaryOperator<TokenStream> f(TokenFilterFactory factory) {
        return factory::create;
    }

    /** The recommended index-time chain: lowercase, folding, possessive, kstem_minimal (no stop words). */
    static Analyzer indexAnalyzer() {
        return chain(AMPERSAND, LOWERCASE, f(FOLDING), f(POSSESSIVE), f(STEMMER));
    }

    /**
     * The recommended search-time chain: the index chain, then the synonyms, with their rules
     * stemmed alike through rule_stemmer. No stop filter: after the synonym graph it breaks it.
     */
    static Analyzer searchAnalyzer(List<String> rules) {
        return chain(AMPERSAND, LOWERCASE, f(FOLDING), f(POSSESSIVE), f(STEMMER),
            f(synonyms(rules, Map.of("rule_stemmer", "kstem_minimal"))));
    }

    static List<String> terms(Analyzer analyzer, String text) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream("body", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        }
        return out;
    }

    /** Tokens as term@position/positionLength, to see a graph. */
    static List<String> graph(Analyzer analyzer, String text) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream("body", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
            PositionLengthAttribute len = ts.addAttribute(PositionLengthAttribute.class);
            ts.reset();
            int pos = -1;
            while (ts.incrementToken()) {
                pos += inc.getPositionIncrement();
                out.add(term + "@" + pos + "/" + len.getPositionLength());
            }
            ts.end();
        }
        return out;
    }

    @Test
    void kstemIsLightAndTheOthersAreThere() throws IOException {
        Analyzer a = chain(null, LOWERCASE, f(KSTEM));
        assertEquals(List.of("ward", "diabetes", "monitor", "clinic", "patient", "therapy"),
            terms(a, "Wards diabetes monitoring clinics patients therapies"));
        assertEquals(List.of("ward", "diabet", "monitor"), terms(chain(null, LOWERCASE, f(stemmer("porter"))), "wards diabetes monitoring"));
        assertEquals(List.of("ward", "diabete", "monitoring"), terms(chain(null, LOWERCASE, f(stemmer("minimal"))), "wards diabetes monitoring"));
        // KStem keeps some plurals (dictionary words of their own) and acronym plurals; kstem_minimal does not.
        assertEquals(List.of("appointments", "boards", "gps"), terms(a, "appointments boards GPs"));
        assertEquals(List.of("appointment", "board", "gp", "ward", "monitor", "diabete"),
            terms(chain(null, LOWERCASE, f(STEMMER)), "appointments boards GPs wards monitoring diabetes"));
        assertEquals(EnglishStemmerTokenFilterFactory.Algorithm.KSTEM,
            new EnglishStemmerTokenFilterFactory(TestSettings.defaults(EnglishStemmerTokenFilterFactory.Settings.class)).algorithm());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stemmer("snowball"));
        assertTrue(e.getMessage().contains("snowball"), e.getMessage());
    }

    @Test
    void whichEnglishStopWordsTheStemmersChange() throws IOException {
        // KStem leaves every stop word alone, so a stop filter may stand before or after it;
        // kstem_minimal turns "was" and "this" into "wa" and "thi": put a stop filter before it.
        Set<String> changedByKstem = new TreeSet<>();
        Set<String> changedByKstemMinimal = new TreeSet<>();
        for (Object w : EnglishAnalyzer.ENGLISH_STOP_WORDS_SET) {
            String word = new String((char[]) w);
            if (terms(chain(null, f(KSTEM)), word).equals(List.of(word)) == false) {
                changedByKstem.add(word);
            }
            if (terms(chain(null, f(STEMMER)), word).equals(List.of(word)) == false) {
                changedByKstemMinimal.add(word);
            }
        }
        assertEquals(Set.of(), changedByKstem);
        assertEquals(Set.of("this", "was"), changedByKstemMinimal);
    }

    @Test
    void possessiveFoldingAndAmpersand() throws IOException {
        Analyzer a = indexAnalyzer();
        assertEquals(List.of("patient", "record"), terms(a, "Patient's records"));
        assertEquals(List.of("patient", "record"), terms(a, "Patient\u2019s records"));
        assertEquals(List.of("cafe", "naive", "aero"), terms(chain(null, LOWERCASE, f(FOLDING)), "Café naïve Ærø"));
        assertEquals(List.of("aande"), terms(a, "A&E"));
        assertEquals(List.of("aande"), terms(a, "A & E"));
        assertEquals(List.of("aande", "department"), terms(a, "a&e department"));
        assertEquals(List.of("randd", "mands"), terms(chain(AMPERSAND, LOWERCASE), "R&D M & S"));
        assertEquals(List.of("aandbandc"), terms(chain(AMPERSAND, LOWERCASE), "A&B&C"));
        assertEquals(List.of("fish", "chips"), terms(chain(AMPERSAND, LOWERCASE), "fish & & chips"));
    }

    @Test
    void ampersandKeepsOffsetsOnTheOriginalText() throws IOException {
        String text = "Go to A & E now";
        try (TokenStream ts = chain(AMPERSAND, LOWERCASE).tokenStream("body", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute offsets = ts.addAttribute(OffsetAttribute.class);
            ts.reset();
            List<String> seen = new ArrayList<>();
            while (ts.incrementToken()) {
                seen.add(term + "=" + text.substring(offsets.startOffset(), offsets.endOffset()));
            }
            ts.end();
            assertEquals(List.of("go=Go", "to=to", "aande=A & E", "now=now"), seen);
        }
    }

    @Test
    void foldingNormalizesWithoutPreservingTheOriginal() throws IOException {
        TokenFilterFactory preserving = new AsciiFoldingTokenFilterFactory(
            TestSettings.of(AsciiFoldingTokenFilterFactory.Settings.class, Map.of("preserve_original", true)));
        assertEquals(List.of("cafe", "café"), terms(chain(null, LOWERCASE, f(preserving)), "Café"));
        assertEquals(List.of("cafe"), terms(chain(null, LOWERCASE, preserving::normalize), "Café"));
    }

    @Test
    void edgeNGrams() throws IOException {
        TokenFilterFactory grams = new EdgeNGramTokenFilterFactory(
            TestSettings.of(EdgeNGramTokenFilterFactory.Settings.class, Map.of("min_gram", 1, "max_gram", 20)));
        assertEquals(List.of("w", "wa", "war", "ward", "a", "aa", "aan", "aand", "aande"),
            terms(chain(AMPERSAND, LOWERCASE, f(grams)), "Ward A&E"));
        TokenFilterFactory defaults = new EdgeNGramTokenFilterFactory(TestSettings.defaults(EdgeNGramTokenFilterFactory.Settings.class));
        assertEquals(List.of("w", "wa"), terms(chain(null, LOWERCASE, f(defaults)), "ward"));
        assertThrows(IllegalArgumentException.class, () -> new EdgeNGramTokenFilterFactory(
            TestSettings.of(EdgeNGramTokenFilterFactory.Settings.class, Map.of("min_gram", 3, "max_gram", 2))));
        assertThrows(IllegalArgumentException.class, () -> new EdgeNGramTokenFilterFactory(
            TestSettings.of(EdgeNGramTokenFilterFactory.Settings.class, Map.of("min_gram", 0, "max_gram", 2))));
    }

    @Test
    void synonymGraphIsSearchTimeOnly() {
        assertEquals(AnalysisMode.SEARCH_TIME, synonyms(RULES, Map.of()).getAnalysisMode());
        assertEquals(AnalysisMode.ALL, KSTEM.getAnalysisMode());
    }

    @Test
    void multiWordSynonymsMakeAGraph() throws IOException {
        Analyzer a = searchAnalyzer(RULES);
        // Positions here are the graph's nodes: each path runs from node 0 to node 5.
        assertEquals(List.of("dna@0/5", "miss@0/1", "no@0/2", "did@0/3", "appointment@1/4", "show@2/3", "not@3/1", "attend@4/1"),
            graph(a, "did not attend"));
        assertTrue(terms(a, "DNA").containsAll(List.of("dna", "did", "attend", "miss", "appointment", "show")), terms(a, "DNA").toString());
        assertTrue(terms(a, "A&E").containsAll(List.of("aande", "ae", "emergency", "department", "accident")), terms(a, "A&E").toString());
        assertEquals(List.of("coffee", "shop"), terms(a, "Café"));
    }

    @Test
    void emptyRulesPassTokensThrough() throws IOException {
        assertEquals(List.of("dna"), terms(chain(null, LOWERCASE, f(synonyms(List.of(), Map.of()))), "DNA"));
        assertEquals(List.of("dna"), terms(chain(null, LOWERCASE, f(synonyms(List.of("# only a comment"), Map.of()))), "DNA"));
    }

    @Test
    void badRulesFailUnlessLenient() {
        List<String> rules = List.of("epr, electronic patient record", "a => b => c", "!!!, dna");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> synonyms(rules, Map.of()));
        assertTrue(e.getMessage().contains("a => b => c"), e.getMessage());
        SynonymGraphTokenFilterFactory lenient = synonyms(rules, Map.of("lenient", true));
        assertEquals(List.of("a => b => c", "!!!, dna"), lenient.skippedRules());
        assertThrows(IllegalArgumentException.class, () -> synonyms(RULES, Map.of("rule_stemmer", "snowball")));
    }

    @Test
    void expandFalseMapsToTheFirstTerm() throws IOException {
        Analyzer a = chain(null, LOWERCASE, f(synonyms(List.of("epr, ehr"), Map.of("expand", false))));
        assertEquals(List.of("epr"), terms(a, "EHR"));
    }

    /** Index a few documents and run the query a match query would build (synonym phrases on). */
    static Set<String> search(Analyzer index, Analyzer search, String text) throws IOException {
        String[][] docs = {
            { "dna", "Cuts DNA rates in outpatient clinics" },
            { "did-not-attend", "Fewer patients who did not attend their appointment" },
            { "missed", "Missed appointments: text reminders" },
            { "no-show", "Halves no-shows" },
            { "epr", "An EPR for community nursing" },
            { "ae", "Streamlines A&E triage" },
            { "ward", "Virtual wards for heart failure" },
            { "cafe", "Café-style waiting rooms" },
        };
        try (ByteBuffersDirectory dir = new ByteBuffersDirectory()) {
            try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(index))) {
                for (String[] d : docs) {
                    Document doc = new Document();
                    doc.add(new StoredField("id", d[0]));
                    doc.add(new TextField("body", d[1], Field.Store.NO));
                    w.addDocument(doc);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                QueryBuilder builder = new QueryBuilder(search);
                builder.setAutoGenerateMultiTermSynonymsPhraseQuery(true); // as Elasticsearch's match query
                Query q = builder.createBooleanQuery("body", text);
                Set<String> ids = new TreeSet<>();
                if (q == null) {
                    return ids;
                }
                for (ScoreDoc sd : searcher.search(q, 100).scoreDocs) {
                    ids.add(searcher.storedFields().document(sd.doc).get("id"));
                }
                return ids;
            }
        }
    }

    @Test
    void matchQueriesFindSynonymsBothWays() throws IOException {
        Analyzer index = indexAnalyzer();
        Analyzer search = searchAnalyzer(RULES);
        Set<String> dnaDocs = Set.of("dna", "did-not-attend", "missed", "no-show");
        assertEquals(dnaDocs, search(index, search, "did not attend"));
        assertEquals(dnaDocs, search(index, search, "DNA"));
        assertEquals(dnaDocs, search(index, search, "missed appointments"));
        assertEquals(dnaDocs, search(index, search, "No shows"));
        assertEquals(Set.of("epr"), search(index, search, "electronic patient records"));
        assertEquals(Set.of("epr"), search(index, search, "electronic health record"));
        assertEquals(Set.of("ae"), search(index, search, "A & E"));
        assertEquals(Set.of("ae"), search(index, search, "emergency department"));
        assertEquals(Set.of("ward"), search(index, search, "ward"));
    }

    @Test
    void synonymsBeforeTheStemmerMissPluralPhrases() throws IOException {
        // Synonyms before the stemmer: the rule "electronic patient record" does not match the
        // unstemmed "records".
        Analyzer search = chain(AMPERSAND, LOWERCASE, f(FOLDING), f(POSSESSIVE), f(synonyms(RULES, Map.of())), f(STEMMER));
        assertFalse(search(indexAnalyzer(), search, "electronic patient records").contains("epr"));
        assertEquals(Set.of("epr"), search(indexAnalyzer(), search, "electronic patient record"));
    }

    @Test
    void aStopFilterAfterTheGraphLosesSynonymsThatStartWithAStopWord() throws IOException {
        // A stop filter after the graph drops "not" and "no" from their paths. A hole inside a
        // path keeps its position (as in the index), so "did _ attend" still matches; a path
        // that starts with a hole ("_ show") is lost, so "did not attend" and "DNA" miss the
        // "no-shows" document that the chains without stop words find.
        Analyzer index = chain(AMPERSAND, LOWERCASE, f(FOLDING), f(POSSESSIVE), STOP, f(STEMMER));
        Analyzer search = chain(AMPERSAND, LOWERCASE, f(FOLDING), f(POSSESSIVE), f(STEMMER),
            f(synonyms(RULES, Map.of("rule_stemmer", "kstem_minimal"))), STOP);
        assertEquals(List.of("dna@0/5", "miss@0/1", "did@0/3", "appointment@1/4", "show@2/3", "attend@4/1"), graph(search, "did not attend"));
        Set<String> withoutNoShow = Set.of("dna", "did-not-attend", "missed");
        assertEquals(withoutNoShow, search(index, search, "did not attend"));
        assertEquals(withoutNoShow, search(index, search, "DNA"));
        assertEquals(Set.of("epr"), search(index, search, "electronic patient records"));
    }

    @Test
    void theProjectsSynonymFileParses() throws IOException {
        Path file = Path.of(System.getProperty("registry.synonyms.file", "../../search/synonyms.txt")).normalize();
        Assumptions.assumeTrue(Files.isRegularFile(file), "no " + file);
        List<String> rules = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String rule = line.split("#", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
            if (rule.isEmpty() == false) {
                rules.add(rule);
            }
        }
        SynonymGraphTokenFilterFactory strict = synonyms(rules, Map.of("rule_stemmer", "kstem_minimal"));
        assertEquals(List.of(), strict.skippedRules());
        Analyzer search = chain(AMPERSAND, LOWERCASE, f(FOLDING), f(POSSESSIVE), f(STEMMER), f(strict));
        assertTrue(terms(search, "A&E").contains("emergency"));
        assertTrue(terms(search, "virtual wards").contains("home"), terms(search, "virtual wards").toString());
    }

}
