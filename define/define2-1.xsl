<?xml version="1.0" encoding="UTF-8"?>
<!--
  define2-1.xsl: cdisc_pipe's own stylesheet for Define-XML 2.1 (XSLT 1.0, so browsers and lxml apply it).

  Renders a define.xml as one readable HTML page: study and standards, documents, a table of the
  datasets, the variables of each dataset, value-level metadata, codelists, methods and comments, each
  cross-linked by OID. Written for cdisc_pipe (MIT licence, like the project); not derived from any other
  stylesheet. Shipped beside every define.xml the pipeline writes; the pipeline also writes define.html,
  this stylesheet applied ahead of time, for browsers that no longer run XSLT.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:odm="http://www.cdisc.org/ns/odm/v1.3"
    xmlns:def="http://www.cdisc.org/ns/def/v2.1"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    exclude-result-prefixes="odm def xlink">

  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:key name="item" match="odm:ItemDef" use="@OID"/>
  <xsl:key name="codelist" match="odm:CodeList" use="@OID"/>
  <xsl:key name="method" match="odm:MethodDef" use="@OID"/>
  <xsl:key name="comment" match="def:CommentDef" use="@OID"/>
  <xsl:key name="valuelist" match="def:ValueListDef" use="@OID"/>
  <xsl:key name="where" match="def:WhereClauseDef" use="@OID"/>
  <xsl:key name="leaf" match="def:leaf" use="@ID"/>
  <xsl:key name="standard" match="def:Standard" use="@OID"/>
  <!-- the ItemRef (in a dataset) of an item: its method, key and mandatory flag live there -->
  <xsl:key name="groupref" match="odm:ItemGroupDef/odm:ItemRef" use="@ItemOID"/>

  <xsl:variable name="mdv" select="/odm:ODM/odm:Study/odm:MetaDataVersion"/>

  <!-- ============================== page ============================== -->
  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <title>
          <xsl:value-of select="/odm:ODM/odm:Study/odm:GlobalVariables/odm:StudyName"/>
          <xsl:text> define.xml: </xsl:text>
          <xsl:value-of select="$mdv/@Name"/>
        </title>
        <style>
          body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d1d1f; }
          nav { position: fixed; top: 0; left: 0; bottom: 0; width: 14rem; overflow-y: auto; background: #f5f6f8;
                border-right: 1px solid #d9dce1; padding: 1rem .8rem; font-size: .85rem; }
          nav ul { list-style: none; padding-left: .8rem; margin: .2rem 0; }
          nav > ul { padding-left: 0; }
          main { margin-left: 16rem; padding: 1rem 2rem 4rem; max-width: 95rem; }
          h1 { font-size: 1.5rem; margin-bottom: .2rem; }
          h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 2px solid #3b5b8c; padding-bottom: .2rem; }
          h3 { font-size: 1.05rem; margin-top: 1.8rem; }
          table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .88rem; width: 100%; }
          th, td { border: 1px solid #d0d4da; padding: .3rem .5rem; text-align: left; vertical-align: top; }
          th { background: #e9edf3; }
          tr:nth-child(even) td { background: #fafbfc; }
          .sub { color: #555; margin-top: 0; }
          .oid { color: #777; font-size: .8rem; font-family: ui-monospace, Menlo, Consolas, monospace; }
          .code { font-family: ui-monospace, Menlo, Consolas, monospace; }
          .extended { color: #8a5a00; font-weight: 600; }
          .muted { color: #777; }
          a { color: #1a4f9c; }
          .method { white-space: pre-wrap; }
        </style>
      </head>
      <body>
        <nav>
          <strong>Contents</strong>
          <ul>
            <li><a href="#standards">Standards</a></li>
            <xsl:if test="$mdv/def:AnnotatedCRF or $mdv/def:SupplementalDoc">
              <li><a href="#documents">Documents</a></li>
            </xsl:if>
            <li><a href="#datasets">Datasets</a>
              <ul>
                <xsl:for-each select="$mdv/odm:ItemGroupDef">
                  <li><a href="#{@OID}"><xsl:value-of select="@Name"/></a></li>
                </xsl:for-each>
              </ul>
            </li>
            <xsl:if test="$mdv/def:ValueListDef"><li><a href="#valuelevel">Value-level metadata</a></li></xsl:if>
            <xsl:if test="$mdv/odm:CodeList"><li><a href="#codelists">Codelists</a></li></xsl:if>
            <xsl:if test="$mdv/odm:MethodDef"><li><a href="#methods">Methods</a></li></xsl:if>
            <xsl:if test="$mdv/def:CommentDef"><li><a href="#comments">Comments</a></li></xsl:if>
          </ul>
        </nav>
        <main>
          <xsl:call-template name="study"/>
          <xsl:call-template name="documents"/>
          <xsl:call-template name="datasets"/>
          <xsl:apply-templates select="$mdv/odm:ItemGroupDef" mode="variables"/>
          <xsl:call-template name="valuelevel"/>
          <xsl:call-template name="codelists"/>
          <xsl:call-template name="methods"/>
          <xsl:call-template name="comments"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <!-- ============================== study and standards ============================== -->
  <xsl:template name="study">
    <xsl:variable name="study" select="/odm:ODM/odm:Study/odm:GlobalVariables"/>
    <h1><xsl:value-of select="$study/odm:StudyName"/>: <xsl:value-of select="$mdv/@Name"/></h1>
    <p class="sub"><xsl:value-of select="$study/odm:StudyDescription"/></p>
    <table>
      <tr><th>Protocol</th><td><xsl:value-of select="$study/odm:ProtocolName"/></td></tr>
      <tr><th>Define-XML version</th><td><xsl:value-of select="$mdv/@def:DefineVersion"/></td></tr>
      <tr><th>Created</th><td><xsl:value-of select="/odm:ODM/@CreationDateTime"/>
        <xsl:if test="/odm:ODM/@SourceSystem"> by <xsl:value-of select="/odm:ODM/@SourceSystem"/>
          <xsl:text> </xsl:text><xsl:value-of select="/odm:ODM/@SourceSystemVersion"/></xsl:if></td></tr>
      <tr><th>Originator</th><td><xsl:value-of select="/odm:ODM/@Originator"/></td></tr>
      <tr><th>File OID</th><td class="code"><xsl:value-of select="/odm:ODM/@FileOID"/></td></tr>
    </table>
    <h2 id="standards">Standards</h2>
    <table>
      <tr><th>Standard</th><th>Type</th><th>Publishing set</th><th>Version</th><th>Status</th></tr>
      <xsl:for-each select="$mdv/def:Standards/def:Standard">
        <tr id="{@OID}">
          <td><xsl:value-of select="@Name"/></td><td><xsl:value-of select="@Type"/></td>
          <td><xsl:value-of select="@PublishingSet"/></td><td><xsl:value-of select="@Version"/></td>
          <td><xsl:value-of select="@Status"/></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template name="documents">
    <xsl:if test="$mdv/def:AnnotatedCRF or $mdv/def:SupplementalDoc">
      <h2 id="documents">Documents</h2>
      <ul>
        <xsl:for-each select="$mdv/def:AnnotatedCRF/def:DocumentRef | $mdv/def:SupplementalDoc/def:DocumentRef">
          <li><xsl:apply-templates select="." mode="link"/></li>
        </xsl:for-each>
      </ul>
    </xsl:if>
  </xsl:template>

  <xsl:template match="def:DocumentRef" mode="link">
    <xsl:variable name="leaf" select="key('leaf', @leafID)"/>
    <a href="{$leaf/@xlink:href}"><xsl:value-of select="$leaf/def:title"/></a>
    <xsl:for-each select="def:PDFPageRef">
      <xsl:text> (pages </xsl:text><xsl:value-of select="@PageRefs"/>
      <xsl:if test="@FirstPage"><xsl:value-of select="@FirstPage"/>-<xsl:value-of select="@LastPage"/></xsl:if>
      <xsl:text>)</xsl:text>
    </xsl:for-each>
  </xsl:template>

  <!-- ============================== datasets ============================== -->
  <xsl:template name="datasets">
    <h2 id="datasets">Datasets</h2>
    <table>
      <tr><th>Dataset</th><th>Description</th><th>Class</th><th>Structure</th><th>Purpose</th><th>Keys</th>
        <th>Documentation</th><th>Location</th></tr>
      <xsl:for-each select="$mdv/odm:ItemGroupDef">
        <tr>
          <td><a href="#{@OID}"><xsl:value-of select="@Name"/></a></td>
          <td><xsl:value-of select="odm:Description/odm:TranslatedText"/></td>
          <td><xsl:value-of select="def:Class/@Name"/>
            <xsl:for-each select="def:Class/def:SubClass">
              <br/><span class="muted">sub-class </span><xsl:value-of select="@Name"/>
            </xsl:for-each></td>
          <td><xsl:value-of select="@def:Structure"/></td>
          <td><xsl:value-of select="@Purpose"/></td>
          <td><xsl:call-template name="keys"/></td>
          <td><xsl:apply-templates select="key('comment', @def:CommentOID)" mode="text"/></td>
          <td><a href="{def:leaf/@xlink:href}"><xsl:value-of select="def:leaf/def:title"/></a></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template name="keys">
    <xsl:for-each select="odm:ItemRef[@KeySequence]">
      <xsl:sort select="@KeySequence" data-type="number"/>
      <xsl:value-of select="key('item', @ItemOID)/@Name"/>
      <xsl:if test="position() != last()">, </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- ============================== variables of one dataset ============================== -->
  <xsl:template match="odm:ItemGroupDef" mode="variables">
    <h3 id="{@OID}">
      <xsl:value-of select="@Name"/> (<xsl:value-of select="odm:Description/odm:TranslatedText"/>)
      <xsl:text> </xsl:text><a href="{def:leaf/@xlink:href}" class="oid"><xsl:value-of select="def:leaf/def:title"/></a>
    </h3>
    <table>
      <tr><th>Variable</th><th>Label</th><th>Key</th><th>Type</th><th>Length / format</th>
        <th>Controlled terms or value level</th><th>Origin</th><th>Derivation / comment</th>
        <xsl:if test="odm:ItemRef/@Role"><th>Role</th></xsl:if><th>Mandatory</th></tr>
      <xsl:for-each select="odm:ItemRef">
        <xsl:sort select="@OrderNumber" data-type="number"/>
        <xsl:variable name="item" select="key('item', @ItemOID)"/>
        <tr id="{@ItemOID}">
          <td class="code"><xsl:value-of select="$item/@Name"/></td>
          <td><xsl:value-of select="$item/odm:Description/odm:TranslatedText"/></td>
          <td><xsl:value-of select="@KeySequence"/></td>
          <td><xsl:value-of select="$item/@DataType"/></td>
          <td><xsl:apply-templates select="$item" mode="length"/></td>
          <td>
            <xsl:apply-templates select="$item/odm:CodeListRef" mode="link"/>
            <xsl:if test="$item/def:ValueListRef">
              <a href="#{$item/def:ValueListRef/@ValueListOID}">value-level metadata</a>
            </xsl:if>
          </td>
          <td><xsl:apply-templates select="$item/def:Origin"/></td>
          <td>
            <xsl:apply-templates select="key('method', @MethodOID)" mode="text"/>
            <xsl:apply-templates select="key('comment', $item/@def:CommentOID)" mode="text"/>
          </td>
          <xsl:if test="../odm:ItemRef/@Role"><td><xsl:value-of select="@Role"/></td></xsl:if>
          <td><xsl:value-of select="@Mandatory"/></td>
        </tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <xsl:template match="odm:ItemDef" mode="length">
    <xsl:value-of select="@Length"/>
    <xsl:if test="@SignificantDigits"> (<xsl:value-of select="@SignificantDigits"/> decimals)</xsl:if>
    <xsl:if test="@def:DisplayFormat">
      <xsl:if test="@Length"><br/></xsl:if><span class="code"><xsl:value-of select="@def:DisplayFormat"/></span>
    </xsl:if>
  </xsl:template>

  <xsl:template match="odm:CodeListRef" mode="link">
    <xsl:variable name="codelist" select="key('codelist', @CodeListOID)"/>
    <a href="#{@CodeListOID}"><xsl:value-of select="$codelist/@Name"/></a>
    <xsl:if test="count($codelist/*[self::odm:CodeListItem or self::odm:EnumeratedItem]) &lt;= 5">
      <br/><span class="muted">
        <xsl:for-each select="$codelist/odm:CodeListItem | $codelist/odm:EnumeratedItem">
          <xsl:text>"</xsl:text><xsl:value-of select="@CodedValue"/><xsl:text>"</xsl:text>
          <xsl:if test="odm:Decode"> = "<xsl:value-of select="odm:Decode/odm:TranslatedText"/>"</xsl:if>
          <xsl:if test="position() != last()">, </xsl:if>
        </xsl:for-each>
      </span>
    </xsl:if>
    <br/>
  </xsl:template>

  <xsl:template match="def:Origin">
    <xsl:value-of select="@Type"/>
    <xsl:if test="@Source"> (<xsl:value-of select="@Source"/>)</xsl:if>
    <xsl:if test="odm:Description">: <span class="code"><xsl:value-of select="odm:Description/odm:TranslatedText"/></span></xsl:if>
    <xsl:for-each select="def:DocumentRef"><br/><xsl:apply-templates select="." mode="link"/></xsl:for-each>
  </xsl:template>

  <xsl:template match="odm:MethodDef | def:CommentDef" mode="text">
    <div class="method">
      <xsl:value-of select="odm:Description/odm:TranslatedText"/>
      <xsl:text> </xsl:text><a href="#{@OID}" class="oid"><xsl:value-of select="@OID"/></a>
    </div>
  </xsl:template>

  <!-- ============================== value-level metadata ============================== -->
  <xsl:template name="valuelevel">
    <xsl:if test="$mdv/def:ValueListDef">
      <h2 id="valuelevel">Value-level metadata</h2>
      <xsl:for-each select="$mdv/def:ValueListDef">
        <xsl:variable name="parent" select="$mdv/odm:ItemDef[def:ValueListRef/@ValueListOID = current()/@OID]"/>
        <xsl:variable name="group" select="key('groupref', $parent/@OID)/.."/>
        <h3 id="{@OID}">
          <a href="#{$group/@OID}"><xsl:value-of select="$group/@Name"/></a>.<xsl:value-of select="$parent/@Name"/>
          <xsl:text> </xsl:text><span class="oid"><xsl:value-of select="@OID"/></span>
        </h3>
        <table>
          <tr><th>Where</th><th>Description</th><th>Type</th><th>Length / format</th><th>Controlled terms</th>
            <th>Origin</th><th>Derivation / comment</th><th>Mandatory</th></tr>
          <xsl:for-each select="odm:ItemRef">
            <xsl:sort select="@OrderNumber" data-type="number"/>
            <xsl:variable name="item" select="key('item', @ItemOID)"/>
            <tr id="{@ItemOID}">
              <td class="code"><xsl:apply-templates select="key('where', def:WhereClauseRef/@WhereClauseOID)"/></td>
              <td><xsl:value-of select="$item/odm:Description/odm:TranslatedText"/></td>
              <td><xsl:value-of select="$item/@DataType"/></td>
              <td><xsl:apply-templates select="$item" mode="length"/></td>
              <td><xsl:apply-templates select="$item/odm:CodeListRef" mode="link"/></td>
              <td><xsl:apply-templates select="$item/def:Origin"/></td>
              <td>
                <xsl:apply-templates select="key('method', @MethodOID)" mode="text"/>
                <xsl:apply-templates select="key('comment', $item/@def:CommentOID)" mode="text"/>
              </td>
              <td><xsl:value-of select="@Mandatory"/></td>
            </tr>
          </xsl:for-each>
        </table>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <xsl:template match="def:WhereClauseDef">
    <xsl:for-each select="odm:RangeCheck">
      <xsl:value-of select="key('item', @def:ItemOID)/@Name"/>
      <xsl:text> </xsl:text><xsl:value-of select="@Comparator"/><xsl:text> </xsl:text>
      <xsl:for-each select="odm:CheckValue">
        <xsl:text>"</xsl:text><xsl:value-of select="."/><xsl:text>"</xsl:text>
        <xsl:if test="position() != last()">, </xsl:if>
      </xsl:for-each>
      <xsl:if test="position() != last()"><br/>and </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- ============================== codelists, methods, comments ============================== -->
  <xsl:template name="codelists">
    <xsl:if test="$mdv/odm:CodeList">
      <h2 id="codelists">Codelists</h2>
      <xsl:for-each select="$mdv/odm:CodeList">
        <h3 id="{@OID}">
          <xsl:value-of select="@Name"/>
          <xsl:if test="odm:Alias[@Context='nci:ExtCodeID']">
            <xsl:text> [</xsl:text><xsl:value-of select="odm:Alias[@Context='nci:ExtCodeID']/@Name"/><xsl:text>]</xsl:text>
          </xsl:if>
          <xsl:text> </xsl:text><span class="oid"><xsl:value-of select="@OID"/> (<xsl:value-of select="@DataType"/>)</span>
        </h3>
        <table>
          <tr><th>Coded value</th><xsl:if test="odm:CodeListItem"><th>Decode</th></xsl:if><th>NCI code</th></tr>
          <xsl:for-each select="odm:CodeListItem | odm:EnumeratedItem">
            <tr>
              <td class="code"><xsl:value-of select="@CodedValue"/>
                <xsl:if test="@def:ExtendedValue = 'Yes'"><span class="extended" title="sponsor extension"> *</span></xsl:if></td>
              <xsl:if test="../odm:CodeListItem"><td><xsl:value-of select="odm:Decode/odm:TranslatedText"/></td></xsl:if>
              <td class="code"><xsl:value-of select="odm:Alias[@Context='nci:ExtCodeID']/@Name"/></td>
            </tr>
          </xsl:for-each>
        </table>
        <xsl:if test="*/@def:ExtendedValue = 'Yes'">
          <p class="muted">* extended value: a sponsor term added to an extensible CDISC codelist</p>
        </xsl:if>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <xsl:template name="methods">
    <xsl:if test="$mdv/odm:MethodDef">
      <h2 id="methods">Methods</h2>
      <table>
        <tr><th>Method</th><th>Type</th><th>Description</th></tr>
        <xsl:for-each select="$mdv/odm:MethodDef">
          <tr id="{@OID}">
            <td><xsl:value-of select="@Name"/></td><td><xsl:value-of select="@Type"/></td>
            <td class="method"><xsl:value-of select="odm:Description/odm:TranslatedText"/></td>
          </tr>
        </xsl:for-each>
      </table>
    </xsl:if>
  </xsl:template>

  <xsl:template name="comments">
    <xsl:if test="$mdv/def:CommentDef">
      <h2 id="comments">Comments</h2>
      <table>
        <tr><th>Comment</th><th>Text</th></tr>
        <xsl:for-each select="$mdv/def:CommentDef">
          <tr id="{@OID}">
            <td class="code"><xsl:value-of select="@OID"/></td>
            <td class="method"><xsl:value-of select="odm:Description/odm:TranslatedText"/>
              <xsl:for-each select="def:DocumentRef"><br/><xsl:apply-templates select="." mode="link"/></xsl:for-each></td>
          </tr>
        </xsl:for-each>
      </table>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
