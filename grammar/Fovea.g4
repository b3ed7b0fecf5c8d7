// The Fovea language: image-processing pipelines over pixel coordinates.
// Turned into C++ at build time by the `antlr4` tool; only compiler/frontend sees the result.
// Keep docs/language.md in step with this file.
grammar Fovea;

module : item* EOF ;

item
    : importDecl
    | constDecl
    | fnDecl
    | pipelineDecl
    | modelDecl
    ;

importDecl   : IMPORT (modulePath | STRING) SEMI ;
modulePath   : ident (DOT ident)* ;
constDecl    : CONST ident (COLON ident)? ASSIGN expr SEMI ;
fnDecl       : FN ident LPAREN (fnParam (COMMA fnParam)*)? RPAREN block ;
// `in`, `interp: nearest | bilinear = bilinear` (an option parameter), `b: border = reflect101`,
// `ksize = 3` (a default value).
fnParam      : ident (COLON ident (PIPE ident)*)? (ASSIGN expr)? ;
// `model classifier = onnx("models/tiny_cnn.onnx");` (the path is relative to the file)
modelDecl    : MODEL ident ASSIGN ident LPAREN STRING RPAREN SEMI ;
pipelineDecl : PIPELINE ident LPAREN (param (COMMA param)*)? RPAREN ARROW outputs block ;

// `input: u8[x, y, c]` (a buffer) or `strength: f32 = 1.0 in [0.0, 1.0]` (a scalar).
param        : ident COLON ident (LBRACK dimList RBRACK)? (ASSIGN expr)? (IN LBRACK expr COMMA expr RBRACK)? ;
dimList      : ident (COMMA ident)* ;
outputs      : outputSpec
             | LPAREN namedOutput (COMMA namedOutput)* RPAREN
             ;
namedOutput  : ident COLON outputSpec ;
outputSpec   : ident LBRACK dimList RBRACK (SIZE LPAREN expr (COMMA expr)* RPAREN)? ;

block : LBRACE stmt* RBRACE ;

stmt
    : ident LPAREN argList RPAREN updateOp expr overClause? sizeClause? SEMI  # defineStmt
    | ident ASSIGN expr SEMI                                       # bindStmt
    | LET ident ASSIGN expr SEMI                                   # letStmt
    | RETURN expr SEMI                                          # returnStmt
    | RETURN LPAREN expr (COMMA expr)+ RPAREN SEMI              # returnTupleStmt
    ;

updateOp : ASSIGN | PLUS_ASSIGN | MINUS_ASSIGN | STAR_ASSIGN | SLASH_ASSIGN | MIN_ASSIGN | MAX_ASSIGN ;

// `over r in input` or `over r in [0 .. n, 0 .. m]`
overClause : OVER ident IN (ident | LBRACK range (COMMA range)* RBRACK) ;
range      : expr DOTDOT expr ;

// `r(x, y, ...) = ... size (w, h);`: the extents of a stage's leading dimensions
sizeClause : SIZE LPAREN expr (COMMA expr)* RPAREN ;

argList : (arg (COMMA arg)*)? ;
arg     : ELLIPSIS | expr ;

expr
    : primary                                              # primaryExpr
    | expr LPAREN argList RPAREN                           # callExpr
    | expr DOT ident                                       # memberExpr
    | op=(MINUS | PLUS | NOT) expr                         # unaryExpr
    | expr op=(STAR | SLASH | PERCENT) expr                # mulExpr
    | expr op=(PLUS | MINUS) expr                          # addExpr
    | expr op=(LT | LE | GT | GE) expr                     # compareExpr
    | expr op=(EQ | NE) expr                               # equalExpr
    | expr AND expr                                        # andExpr
    | expr OR expr                                         # orExpr
    ;

primary
    : INT                   # intLit
    | FLOAT                 # floatLit
    | (TRUE | FALSE)        # boolLit
    | ident                 # nameRef
    | LPAREN expr RPAREN    # parenExpr
    ;

// `in`, `over`, `size` and `model` are keywords only where the grammar expects them: elsewhere they are
// ordinary names (a function parameter is often called `in`).
ident : ID | IN | OVER | SIZE | MODEL ;

// ---- lexer ----
IMPORT   : 'import' ;
CONST    : 'const' ;
FN       : 'fn' ;
PIPELINE : 'pipeline' ;
LET      : 'let' ;
RETURN   : 'return' ;
OVER     : 'over' ;
IN       : 'in' ;
SIZE     : 'size' ;
MODEL    : 'model' ;
TRUE     : 'true' ;
FALSE    : 'false' ;

ARROW        : '->' ;
ELLIPSIS     : '...' ;
DOTDOT       : '..' ;
DOT          : '.' ;
COMMA        : ',' ;
SEMI         : ';' ;
COLON        : ':' ;
LPAREN       : '(' ;
RPAREN       : ')' ;
LBRACK       : '[' ;
RBRACK       : ']' ;
LBRACE       : '{' ;
RBRACE       : '}' ;
PLUS_ASSIGN  : '+=' ;
MINUS_ASSIGN : '-=' ;
STAR_ASSIGN  : '*=' ;
SLASH_ASSIGN : '/=' ;
MIN_ASSIGN   : 'min=' ;
MAX_ASSIGN   : 'max=' ;
EQ           : '==' ;
NE           : '!=' ;
LE           : '<=' ;
GE           : '>=' ;
LT           : '<' ;
GT           : '>' ;
AND          : '&&' ;
OR           : '||' ;
PIPE         : '|' ;
NOT          : '!' ;
ASSIGN       : '=' ;
PLUS         : '+' ;
MINUS        : '-' ;
STAR         : '*' ;
SLASH        : '/' ;
PERCENT      : '%' ;

// A float needs digits on both sides of the point so that `0..n` is a range.
FLOAT : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT   : DIGITS | '0x' [0-9a-fA-F]+ ;
ID    : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

DOC_COMMENT   : '///' ~[\r\n]* -> channel(2) ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
UNTERMINATED_COMMENT : '/*' ;
WS            : [ \t\r\n\f]+ -> skip ;
// Anything else becomes a token the front end reports itself, so the lexer never prints.
BAD_CHAR      : . ;
